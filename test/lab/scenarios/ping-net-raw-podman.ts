import { pingScenario } from '../lib/ping-net-raw.js';

export default pingScenario(
  'podman',
  'ping-net-raw-podman',
  'ndl-png',
  ['--user', '1000:1000'],
  'rootful podman container running as --user 1000:1000 on a user network: no NET_RAW (podman default) and group 1000 outside the container\'s ping_group_range "0 0"',
);
