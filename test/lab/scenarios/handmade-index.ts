import type { Scenario } from '../scenario.js';
import baselineHandmade from './baseline-handmade.js';
import netnsBridgeNoAddress from './netns-bridge-no-address.js';
import netnsDockerForwardDrop from './netns-docker-forward-drop.js';
import netnsForwardingOff from './netns-forwarding-off.js';
import netnsNoMasquerade from './netns-no-masquerade.js';
import netnsNoRoute from './netns-no-route.js';
import netnsVethDown from './netns-veth-down.js';
import whyAddressForwardDrop from './why-address-forward-drop.js';
import whyHostLoopback from './why-host-loopback.js';
import whyNetnsHealthy from './why-netns-healthy.js';
import whyNetnsVethDown from './why-netns-veth-down.js';

/** Hand-made networks (Part 5), built the tutorial's way, and `why` to a namespace, the host or an address. */
export const HANDMADE_SCENARIOS: readonly Scenario[] = [
  baselineHandmade,
  netnsVethDown,
  netnsNoRoute,
  netnsBridgeNoAddress,
  netnsNoMasquerade,
  netnsForwardingOff,
  whyNetnsHealthy,
  whyNetnsVethDown,
  whyHostLoopback,
  whyAddressForwardDrop,
  // dockerd restarts: last.
  netnsDockerForwardDrop,
];
