import { LabError } from '../lib/exec.js';
import { buildTutorial, getFrom, must, pingFrom, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';
import { provedFixed, reachableNow } from './why-common.js';

const NET = tutorial('ndl-wv', 9);
const INSIDE = `${NET.blueHost}-c`;
const WHY = ['why', `netns:${NET.red}`, `netns:${NET.blue}`];
const SENTENCE = new RegExp(
  `^netns:${NET.red} cannot reach netns:${NET.blue}: The veth between namespace ${NET.blue} and bridge ${NET.bridge} is down at ${INSIDE} \\(in namespace ${NET.blue}\\)`,
);

export default {
  kind: 'broken',
  name: 'why-netns-veth-down',
  ids: ['netns.veth_down'],
  description: `the tutorial's network, then \`ip -n ${NET.blue} link set ${INSIDE} down\`; why netns:${NET.red} netns:${NET.blue} must name the downed veth`,
  identity: 'root',
  netdoctorCommand: () => WHY,
  async setup(lab) {
    await buildTutorial(lab, NET);
    must(await pingFrom(NET.red, NET.blueAddress), 'pass');
    await lab.mustRoot(['ip', '-n', NET.blue, 'link', 'set', INSIDE, 'down']);
  },
  async proveBroken() {
    return [must(await pingFrom(NET.red, NET.blueAddress), 'fail'), must(await getFrom(NET.red), 'pass')].join('; ');
  },
  expect: () => [
    {
      id: 'netns.veth_down',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.blue], interface: INSIDE },
      title: new RegExp(`is down at ${INSIDE} \\(in namespace ${NET.blue}\\)`),
    },
  ],
  // `ip -n ndl-wv-blue link set dev ndl-wv-vb-c up`, the fix of the verdict's link.
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      const verdict = lab.runs.find((entry) => entry.state === 'broken')?.report.pair?.verdict;
      if (verdict?.outcome !== 'unreachable' || !SENTENCE.test(verdict.sentence))
        throw new LabError(`the verdict does not name the downed veth: ${verdict?.sentence ?? 'no pair section'}`);
      return `the verdict named it: "${verdict.sentence}"`;
    },
  },
  proveFixed: (lab) =>
    provedFixed(
      lab,
      pingFrom(NET.red, NET.blueAddress).then((result) => must(result, 'pass')),
    ),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
