import { pingScenario } from '../lib/ping-net-raw.js';

export default pingScenario(
  'docker',
  'ping-net-raw-docker',
  'ndl-pngd',
  ['--cap-drop', 'NET_RAW', '--sysctl', 'net.ipv4.ping_group_range=1 0'],
  'docker container with --cap-drop NET_RAW --sysctl net.ipv4.ping_group_range="1 0" on a user network',
);
