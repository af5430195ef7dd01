import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import { label, notAContainer, stoppedContainers } from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'pair.not_running': {
    severity: 'error',
    title: 'One of the two containers is not running',
    explanation:
      'A container that is not running has no network namespace: it holds no address, answers no connection and resolves no name. Nothing can reach it, and it reaches nothing, until it runs again.',
    cause: 'The container exited (its main process ended or crashed), was stopped, or was created and never started.',
    fix: 'Read its logs to learn why it stopped, then start it again.',
    docs: 'https://docs.podman.io/en/latest/markdown/podman-start.1.html',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function notRunning(location: FoundContainer) {
  const { container, cli } = location;
  return finding('pair.not_running', {
    subject: { engine: container.engine, scope: container.scope, containers: [container.name] },
    title: `${container.name} is not running (${container.state})`,
    evidence: [location.evidence],
    fix: {
      commands: [
        shellLine([cli, 'logs', '--tail', '20', ...operands(container.name)]),
        shellLine([cli, 'start', ...operands(container.name)]),
      ],
    },
  });
}

export default {
  id: 'pair.running',
  title: 'Both containers run',
  docs: FINDINGS['pair.not_running'].docs,
  findings: FINDINGS,
  pathOrder: 1,
  async run({ analysis }) {
    const { a, b } = analysis;
    if (a.kind !== 'found' && b.kind !== 'found')
      return notApplicable(
        notAContainer(analysis) === undefined ? 'neither container was found' : 'neither end is a container',
      );
    const stopped = stoppedContainers(analysis);
    const [aName, bName] = [label(a), label(b)];
    if (stopped.length === 0)
      return verdict(
        [],
        [a, b]
          .filter((location) => location.kind === 'found')
          .map((location) => `${label(location)} runs`)
          .join(', '),
      );
    const who =
      stopped.length === 2
        ? `neither ${aName} nor ${bName} is running`
        : `${label(stopped[0]!)} is not running (${stopped[0]!.container.state})`;
    return verdict(stopped.map(notRunning), `${aName} cannot reach ${bName}: ${who}`);
  },
} satisfies PairCheck;
