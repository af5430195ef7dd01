import { LabError, brief, ok } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';

const WEB = 'ndl-pha-web';
const HOST_IP = '198.51.100.1';
const PORT = '18090';

/**
 * A service on the host's uplink address, and ndlab's container on pasta: the host's IP answers inside the
 * container as the container itself (connection refused), while host.containers.internal reaches the host.
 */
export default {
  kind: 'broken',
  name: 'rootless-pasta-host-address',
  ids: ['rootless.pasta_host_address'],
  description: `a host service on ${HOST_IP}:${PORT}; ndlab's pasta container cannot reach it by that address (it is the container's own), only as host.containers.internal`,
  identity: 'ndlab',
  generations: [2],
  async setup(lab) {
    const address = await lab.mustRoot(['ip', '-4', '-o', 'addr', 'show', 'ndup']);
    if (!address.includes(`${HOST_IP}/`)) throw new LabError(`the environment's uplink is not ${HOST_IP} (${address})`);
    // busybox httpd forks into the background; the environment ends it with everything else.
    await lab.mustRoot([
      'sh',
      '-c',
      `mkdir -p /tmp/ndl-host && echo host >/tmp/ndl-host/ok && busybox httpd -p ${HOST_IP}:${PORT} -h /tmp/ndl-host`,
    ]);
    await lab.rootless.startWeb(WEB, []);
  },
  async proveBroken(lab) {
    const mode = await lab.rootless.must(['inspect', WEB, '--format', '{{.HostConfig.NetworkMode}}']);
    if (mode.trim() !== 'pasta') throw new LabError(`${WEB} runs on ${mode}, not pasta`);
    const byAddress = await lab.rootless.exec(WEB, [
      'timeout',
      '4',
      'wget',
      '-q',
      '-O-',
      `http://${HOST_IP}:${PORT}/ok`,
    ]);
    if (ok(byAddress)) throw new LabError(`the host's ${HOST_IP} answered inside the container (${brief(byAddress)})`);
    const byName = await lab.rootless.exec(WEB, [
      'timeout',
      '4',
      'wget',
      '-q',
      '-O-',
      `http://host.containers.internal:${PORT}/ok`,
    ]);
    if (!ok(byName) || byName.stdout.trim() !== 'host')
      throw new LabError(`host.containers.internal did not reach the host's service (${brief(byName)})`);
    return `inside ${WEB} (pasta) http://${HOST_IP}:${PORT} fails (${brief(byAddress, 80)}); http://host.containers.internal:${PORT} gets the host's page`;
  },
  expect: () => [
    { id: 'rootless.pasta_host_address', severity: 'info', subject: { engine: 'podman', containers: [WEB] } },
  ],
  fix: { kind: 'none', reason: 'an info finding: how to reach the host from a pasta container, not a fault' },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
