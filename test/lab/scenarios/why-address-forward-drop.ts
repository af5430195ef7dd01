import { EXT_IP, EXT_URL } from '../lib/paths.js';
import { expectProbe, http, lookup } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { provedFixed, reachableNow } from './why-common.js';

const P = 'ndl-wa';
const NET = `${P}-net`;
const WEB = `${P}-web`;
const TABLE = 'ndl_wa';

export default {
  kind: 'broken',
  name: 'why-address-forward-drop',
  ids: ['pair.tcp_port_closed'],
  description: `a forward-hook rule in nftables table inet ${TABLE} drops TCP to ${EXT_IP}:80; why ${WEB} ${EXT_IP}:80 from a docker container`,
  identity: 'root',
  netdoctorCommand: () => ['why', WEB, `${EXT_IP}:80`],
  async setup(lab) {
    await lab.docker.network(NET);
    await lab.docker.start(WEB, ['--network', NET]);
    await lab.hostGuard.addNftTable(
      'inet',
      TABLE,
      `table inet ${TABLE} {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n    ip daddr ${EXT_IP} tcp dport 80 drop\n  }\n}`,
    );
  },
  async proveBroken(lab) {
    return [
      expectProbe(await http(lab.docker, WEB, EXT_URL), 'fail'),
      expectProbe(await lookup(lab.docker, WEB, 'ext.test', EXT_IP), 'pass'),
    ].join('; ');
  },
  expect: () => [
    {
      id: 'pair.tcp_port_closed',
      severity: 'error',
      subject: { containers: [WEB] },
      title: new RegExp(
        `^${EXT_IP.replace(/\./g, '\\.')}:80 cannot be reached from ${WEB}: firewall: drop .*dropped by rule 1 of inet ${TABLE} forward`,
      ),
    },
  ],
  // `nft insert rule inet ndl_wa forward ... tcp dport 80 accept` (the restore deletes the table).
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: (lab) =>
    provedFixed(
      lab,
      http(lab.docker, WEB, EXT_URL).then((result) => expectProbe(result, 'pass')),
    ),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
