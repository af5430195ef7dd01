import check from '../../../checks/fw/firewalld-zones.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot } from '../../helpers/recordings.js';

const ID = 'fw.firewalld_zone_blocks';

checkCases(check, [
  // After `firewall-cmd --reload` the subnet netavark bound to `trusted` is in no zone: the default zone takes it.
  {
    on: gen2State('fw-firewalld-reload.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: {
          engine: 'podman',
          scope: 'rootful',
          network: 'ndl-fzr',
          interface: 'podman1',
          containers: ['ndl-fzr-a', 'ndl-fzr-b'],
        },
        title: 'firewalld puts 10.89.0.0/24 (podman network ndl-fzr) in zone public, which rejects its traffic',
        // No systemd in the lab: netavark-firewalld-reload.service is not offered.
        fix: { commands: ['podman network reload --all'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: gen2State('fw-firewalld-reload.fixed'),
    gone: [ID],
    result: { status: 'pass', summary: /10\.89\.0\.0\/24: zone trusted \(target ACCEPT\)/ },
  },
  // Containers run, firewalld does not: its nftables table is absent, and firewall-cmd is not asked.
  {
    on: gen2State('baseline-podman-netavark.healthy'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^firewalld is not running: no `table inet firewalld`/ },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no rootful bridge network has a running container' },
  },
]);
