import type { Scenario } from '../scenario.js';
import brNetfilterForwardDrop from './fw-br-netfilter-forward-drop.js';
import dockerUserDrop from './fw-docker-user-drop.js';
import engineRulesFlushed from './fw-engine-rules-flushed.js';
import foreignForwardDrop from './fw-foreign-forward-drop.js';
import internalDockerDrop from './fw-internal-docker-drop.js';
import inputDropDns from './fw-input-drop-dns.js';
import iptablesBackendSplit from './fw-iptables-backend-split.js';
import mixedPodmanIngress from './fw-mixed-podman-ingress.js';
import rulesetFlushed from './fw-ruleset-flushed.js';

/** The firewall scenarios that put the host back exactly, in the order they run. */
export const FW_SCENARIOS: readonly Scenario[] = [
  brNetfilterForwardDrop,
  foreignForwardDrop,
  inputDropDns,
  engineRulesFlushed,
  dockerUserDrop,
  mixedPodmanIngress,
  rulesetFlushed,
  iptablesBackendSplit,
  internalDockerDrop,
];
