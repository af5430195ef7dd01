import { defaultNetworkScenario } from '../lib/default-network.js';

export default defaultNetworkScenario('docker', 'default-network-docker', 'ndl-dnd');
