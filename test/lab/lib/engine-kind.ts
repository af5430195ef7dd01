/**
 * The four container stores of the lab: rootful podman (netavark), rootful podman on the CNI store, ndlab's rootless
 * podman, docker.
 */
export type EngineKind = 'podman' | 'cni' | 'rootless' | 'docker';
