import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import type { CommandResult } from '../../src/core/host.js';
import type { Report } from '../../src/core/report.js';
import { shellLine } from '../../src/core/shell.js';
import type { PairOutcome, PathKind } from '../../src/core/pair.js';
import type { WhyRequest } from '../../src/pair/diagnose.js';
import type { FakeCommand } from './fake-host.js';
import { validateSnapshot } from './snapshot.js';

/** A situation recorded by test/fixtures/why/record.sh, and what `netdoctor why` must conclude from it. */
export interface RecordedCase {
  name: string;
  /** The arguments of `netdoctor why` when it was recorded. */
  args: string[];
  outcome: PairOutcome;
  exitCode: number;
  path: PathKind;
  /** The pair.* finding ids, in order. */
  pairFindings: string[];
  /** What the one-sentence verdict must say. */
  sentence: RegExp;
}

export const CASES: readonly RecordedCase[] = [
  {
    name: 'healthy-podman',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-network',
    pairFindings: ['pair.reachable'],
    sentence:
      /^nd-why-web can reach nd-why-db: port 80 accepts connections at [\d.]+ on network ndwhy-net, and the name nd-why-db resolves/,
  },
  {
    name: 'loopback-only',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed'],
    sentence: /^nd-why-web cannot reach nd-why-db on port 5432: nd-why-db listens on 127\.0\.0\.1:5432 only/,
  },
  {
    name: 'nothing-listening',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed'],
    sentence: /^nd-why-web cannot reach nd-why-db: nothing listens on any TCP port in nd-why-db$/,
  },
  {
    name: 'port-not-served',
    args: ['nd-why-web', 'nd-why-db', '--port', '5432'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed'],
    sentence: /^nd-why-web cannot reach nd-why-db on port 5432: nothing listens on port 5432 in nd-why-db$/,
  },
  {
    name: 'not-running',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.not_running'],
    sentence: /^nd-why-web cannot reach nd-why-db: nd-why-db is not running \(exited\)$/,
  },
  {
    name: 'not-found',
    args: ['nd-why-web', 'nd-why-ghost'],
    outcome: 'undecided',
    exitCode: 2,
    path: 'none',
    pairFindings: [],
    sentence:
      /^netdoctor cannot tell whether nd-why-web reaches nd-why-ghost: no container nd-why-ghost in docker and rootful podman; as root, netdoctor cannot see the rootless containers of ndlab/,
  },
  {
    name: 'firewall-drop',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed', 'pair.icmp_blocked'],
    sentence:
      /^nd-why-web cannot reach nd-why-db on port 80: packets to ([\d.]+):80 are dropped by rule 1 of inet ndwhy forward: ip saddr [\d.]+ ip daddr \1 tcp dport 80 drop$/,
  },
  {
    name: 'pod',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-namespace',
    pairFindings: ['pair.reachable'],
    sentence:
      /^nd-why-web can reach nd-why-db: port 8080 accepts connections at 127\.0\.0\.1 \(one network namespace\)$/,
  },
  {
    name: 'container-mode',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-namespace',
    pairFindings: ['pair.reachable'],
    sentence: /^nd-why-web can reach nd-why-db: port 80 accepts connections at 127\.0\.0\.1 \(one network namespace\)$/,
  },
  {
    name: 'host-network',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'host-network',
    pairFindings: ['pair.reachable'],
    sentence: /^nd-why-web can reach nd-why-db: port 80 accepts connections at [\d.]+$/,
  },
  {
    name: 'ambiguous',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'undecided',
    exitCode: 2,
    path: 'none',
    pairFindings: [],
    sentence:
      /nd-why-db names a container in docker \(\w+\) and rootful podman \(\w+\): write docker:nd-why-db or podman:nd-why-db/,
  },
  {
    name: 'no-shared-network-podman',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'routed',
    pairFindings: ['pair.no_shared_network'],
    sentence:
      /^nd-why-web reaches nd-why-db only by address \([\d.]+:80, routed\): they share no network \(nd-why-web is on ndwhy-front, nd-why-db on ndwhy-back\)/,
  },
  {
    name: 'no-shared-network-docker',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'routed',
    pairFindings: ['pair.no_shared_network'],
    sentence:
      /^nd-why-web cannot reach nd-why-db: they share no network \(nd-why-web is on ndwhy-front, nd-why-db on ndwhy-back\)$/,
  },
  {
    name: 'default-bridge',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.name_not_resolvable'],
    sentence:
      /^nd-why-web reaches nd-why-db at [\d.]+ but cannot resolve its name: docker's default network bridge has no DNS$/,
  },
  {
    name: 'icc-off',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed'],
    sentence:
      /^nd-why-web cannot reach nd-why-db on port 80: packets to [\d.]+:80 are dropped: inter-container communication is off on docker network ndwhy-noicc/,
  },
  {
    name: 'different-engines',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'routed',
    pairFindings: ['pair.different_engines'],
    sentence:
      /^nd-why-web reaches nd-why-db only by address .*: nd-why-web is a docker container and nd-why-db a rootful podman container, whose networks never meet/,
  },
  {
    name: 'different-users-root',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'none',
    pairFindings: ['pair.different_engines'],
    sentence:
      /^nd-why-web cannot reach nd-why-db: nd-why-web is a rootful podman container and nd-why-db a rootless podman container of ndlab; their networks never meet$/,
  },
  {
    name: 'different-users-ndlab',
    args: ['nd-why-db', 'nd-why-web'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'none',
    pairFindings: ['pair.different_engines'],
    sentence:
      /^nd-why-db cannot reach nd-why-web: nd-why-db is a rootless podman container of ndlab and nd-why-web a rootful podman container; their networks never meet$/,
  },
  {
    name: 'rootless-healthy',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-network',
    pairFindings: ['pair.reachable'],
    sentence:
      /^nd-why-web can reach nd-why-db: port 80 accepts connections at [\d.]+ on network ndwhy-net, and the name nd-why-db resolves/,
  },
  {
    name: 'rootless-loopback-only',
    args: ['nd-why-web', 'nd-why-db'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    pairFindings: ['pair.tcp_port_closed'],
    sentence: /^nd-why-web cannot reach nd-why-db on port 80: nd-why-db listens on 127\.0\.0\.1:80 only/,
  },
];

export function casePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/why/${name}.json`, import.meta.url));
}

export function caseSnapshot(name: string): Snapshot {
  const path = casePath(name);
  return parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot);
}

/** The `--json` report printed by the run that recorded the snapshot. */
export function caseReport(name: string): Report {
  return JSON.parse(
    readFileSync(fileURLToPath(new URL(`../fixtures/why/${name}.report.json`, import.meta.url)), 'utf8'),
  ) as Report;
}

/** The request `netdoctor why` was recorded with: its two containers and the ports given with --port. */
export function caseRequest(name: string): WhyRequest {
  const recorded = CASES.find((entry) => entry.name === name);
  if (recorded === undefined) throw new Error(`no recorded why case ${name}`);
  const [a = '', b = '', ...options] = recorded.args;
  const ports = options.flatMap((option, index) => (options[index - 1] === '--port' ? [Number(option)] : []));
  return { a, b, ports };
}

/** The one command of a recorded situation whose argv contains all these words, in order. */
export function recordedCommandWith(name: string, ...words: string[]): CommandResult {
  const matches = caseSnapshot(name).commands.filter((entry) => {
    let from = 0;
    return words.every((word) => {
      const index = entry.argv.indexOf(word, from);
      from = index + 1;
      return index >= 0;
    });
  });
  if (matches.length !== 1) throw new Error(`${name}: ${matches.length} commands with ${words.join(' ')}`);
  return matches[0]!;
}

/**
 * What the probes of a recorded pair print when something on the way fails, built from the recording's own
 * commands: each replaces the recorded answer of one probe with the failure a real host gives.
 */
export const PROBE_FAILURES = {
  /** nsenter refused to enter the containers' namespaces. */
  nsenterDenied(name: string): FakeCommand[] {
    return caseSnapshot(name)
      .commands.filter((entry) => entry.argv[0] === 'nsenter')
      .map((entry) => ({
        argv: entry.argv,
        exitCode: 1,
        stderr: `nsenter: cannot open /proc/${entry.argv[1]!.slice('--target='.length)}/ns/net: Permission denied\n`,
      }));
  },
  /** The TCP connection got no answer within its time. */
  connectTimedOut(name: string): FakeCommand[] {
    return [{ argv: recordedCommandWith(name, 'nc').argv, exitCode: 1, stderr: 'nc: timed out\n' }];
  },
  /** The ping got no answer; B's net.ipv4.icmp_echo_ignore_all, read in its namespace, is `echoIgnoreAll`. */
  pingUnanswered(name: string, echoIgnoreAll: '0' | '1'): FakeCommand[] {
    const listening = recordedCommandWith(name, 'nsenter', 'ss');
    return [
      {
        argv: recordedCommandWith(name, 'ping').argv,
        exitCode: 1,
        stdout: '1 packets transmitted, 0 packets received, 100% packet loss\n',
      },
      {
        argv: [...listening.argv.slice(0, 3), 'cat', '/proc/sys/net/ipv4/icmp_echo_ignore_all'],
        stdout: `${echoIgnoreAll}\n`,
      },
    ];
  },
};

/** How netdoctor prints a command it runs in B's network namespace, for a recorded pair. */
export function inBNamespace(name: string, command: string): string {
  const listening = recordedCommandWith(name, 'nsenter', 'ss');
  return `${shellLine(listening.argv.slice(0, 3)).replace('--target=', '--target ')} ${command}`;
}
