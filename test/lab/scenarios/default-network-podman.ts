import { defaultNetworkScenario } from '../lib/default-network.js';

export default defaultNetworkScenario('podman', 'default-network-podman', 'ndl-dnp');
