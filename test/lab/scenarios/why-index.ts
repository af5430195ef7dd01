import type { Scenario } from '../scenario.js';
import defaultBridge from './why-default-bridge.js';
import differentUsers from './why-different-users.js';
import firewallDrop from './why-firewall-drop.js';
import healthy from './why-healthy.js';
import iccOff from './why-icc-off.js';
import loopbackOnly from './why-loopback-only.js';
import noSharedNetwork from './why-no-shared-network.js';
import nothingListening from './why-nothing-listening.js';

/** `netdoctor why A B` scenarios: one broken link each, and a healthy pair. */
export const WHY_SCENARIOS: readonly Scenario[] = [
  healthy,
  noSharedNetwork,
  defaultBridge,
  iccOff,
  loopbackOnly,
  nothingListening,
  firewallDrop,
  differentUsers,
];
