import type { Check } from '../src/types.js';
import dockerUserDrop from './docker/docker-user-drop.js';
import brNetfilterForwardDrop from './fw/br-netfilter-forward-drop.js';
import engineRulesFlushed from './fw/engine-rules-flushed.js';
import foreignForwardDrop from './fw/foreign-forward-drop.js';
import inputDropDns from './fw/input-drop-dns.js';
import iptablesBackendSplit from './fw/iptables-backend-split.js';
import dockerForwardDropPodmanIngress from './mixed/docker-forward-drop-podman-ingress.js';

export const PART2_FIREWALL_CHECKS: readonly Check[] = [
  engineRulesFlushed,
  brNetfilterForwardDrop,
  foreignForwardDrop,
  inputDropDns,
  iptablesBackendSplit,
  dockerForwardDropPodmanIngress,
  dockerUserDrop,
];
