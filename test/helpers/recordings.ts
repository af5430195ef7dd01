import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../../src/core/check.js';
import type { HostContext, HostError } from '../../src/core/host.js';
import type { Report } from '../../src/core/report.js';
import { NFT_LIST } from '../../src/facts/firewall.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import type { WhyRequest } from '../../src/pair/diagnose.js';
import { FakeHost, type FakeCommand, type FakeHostSetup } from './fake-host.js';
import { caseRequest, casePath } from './why-recordings.js';
import { validateSnapshot } from './snapshot.js';

// Every recording here was made on the lab host by netdoctor --record or the lab's record mode, never typed by
// hand: the README of each folder under test/fixtures says how and in which state.

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A file under test/fixtures, as recorded. */
export function fixtureText(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8');
}

const snapshots = new Map<string, Snapshot>();

function snapshotAt(path: string): Snapshot {
  let snapshot = snapshots.get(path);
  if (snapshot === undefined) {
    snapshot = parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot);
    snapshots.set(path, snapshot);
  }
  return structuredClone(snapshot);
}

/** What a check runs on in a case: a recorded snapshot, with whatever the case puts in place of its answers. */
export interface Recording {
  /** The recording as the test names it: its state, and what the case changed. */
  name: string;
  /** The snapshot file. */
  path: string;
  /** The report its recording run printed, beside it, when there is one. */
  reportPath?: string;
  /** Answers that replace or add to the recorded ones. */
  answers: Omit<FakeHostSetup, 'snapshot'>;
  /** Who the replay runs as, when the case changes it. */
  context?: Partial<HostContext>;
  /** For a pair check: the two containers (and ports) of `netdoctor why`. */
  request?: WhyRequest;
  /** The probes the recording run was allowed (`--probe-dns`): its snapshot holds their answers. */
  probes?: CheckContext['probes'];
}

/** A host that answers from the recording; build it inside a test (it fails the test on what it was not given). */
export function recordedHost(recording: Recording): FakeHost {
  const snapshot = snapshotAt(recording.path);
  if (recording.context !== undefined) snapshot.context = { ...snapshot.context, ...recording.context };
  return new FakeHost({ ...recording.answers, snapshot });
}

/** The recorded snapshot itself, for a test of what parses its outputs. */
export function snapshotOf(recording: Recording): Snapshot {
  return snapshotAt(recording.path);
}

export function recordedReportOf(recording: Recording): Report | undefined {
  return recording.reportPath === undefined
    ? undefined
    : (JSON.parse(readFileSync(recording.reportPath, 'utf8')) as Report);
}

function inFolder(folder: string, name: string): Recording {
  return {
    name,
    path: `${FIXTURES}${folder}/${name}.json`,
    reportPath: `${FIXTURES}${folder}/${name}.report.json`,
    answers: {},
  };
}

/**
 * A state of a lab scenario (test/lab/scenarios/<scenario>.ts), `<scenario>.broken`, `.fixed` or `.healthy`:
 * `npm run lab:record` recorded it after proving it with real traffic (test/fixtures/snapshots/lab).
 */
export function labState(state: string): Recording {
  return inFolder('snapshots/lab', state);
}

/**
 * A state of a lab scenario on the lab's second generation, Debian 13's engines in namespaces (podman 5.4.2,
 * netavark 1.14 with nftables, pasta, docker 26.1.5; test/fixtures/snapshots/gen2).
 */
export function gen2State(state: string): Recording {
  return { ...inFolder('snapshots/gen2', state), name: `gen2/${state}` };
}

/**
 * A state of a firewall lab scenario (test/lab/scenarios/fw-*.ts), recorded with the firewall checks only
 * (test/fixtures/rulesets/lab).
 */
export function firewallLabState(state: string): Recording {
  return inFolder('rulesets/lab', state);
}

/** Debian 12's modular kernel, booted in the lab guest with or without its module tree (test/fixtures/kernel). */
export function kernelView(name: string): Recording {
  return inFolder('kernel', name);
}

/**
 * A whole run on the lab host (test/fixtures/snapshots): the healthy baselines `healthy-*`, and the live host
 * while another session's lab ran, `live-root-icc-off` (as root) and `live-rootless` (as ndlab).
 */
export function hostSnapshot(name: string): Recording {
  const recording = inFolder('snapshots', name);
  return name.startsWith('live-') ? { name, path: recording.path, answers: {} } : recording;
}

/**
 * The live host of live-root.snapshot.json (podman network ndwhy-net on podman1 with nd-why-db and nd-why-web),
 * as recorded or with the rules record-broken-states.sh recorded after breaking that snapshot's own rules in a
 * private network namespace (`live-root.<state>.*`, test/fixtures/rulesets/README.md).
 */
export function rulesetState(state?: string): Recording {
  const path = `${FIXTURES}rulesets/live-root.snapshot.json`;
  if (state === undefined) return { name: 'live-root', path, answers: {} };
  const rules = (file: string) => fixtureText(`rulesets/live-root.${state}.${file}`);
  const commands: FakeCommand[] = [
    { argv: NFT_LIST, stdout: rules('nft.json') },
    // The save tools print the legacy warning on stderr; the recordings hold both streams.
    { argv: ['iptables-nft-save'], stdout: rules('iptables-nft-save.txt') },
  ];
  const files: Record<string, string> = {};
  if (state === 'backend-split') {
    files['/proc/net/ip_tables_names'] = rules('ip_tables_names.txt');
    commands.push({ argv: ['iptables-legacy-save'], stdout: rules('iptables-legacy-save.txt') });
  }
  return { name: `live-root with the ${state} rules`, path, answers: { commands, files } };
}

/** A situation `netdoctor why --record` recorded (test/fixtures/why), with the request it was recorded with. */
export function whyState(name: string): Recording {
  return {
    name,
    path: casePath(name),
    reportPath: casePath(name).replace(/\.json$/, '.report.json'),
    answers: {},
    request: caseRequest(name),
  };
}

/**
 * What a snapshot lacks, as an error answer, for a case that states which read its recording predates (`--replay`
 * itself refuses such a read with NotRecordedError, and the check then cannot decide or leaves the detail out).
 */
export const NOT_RECORDED: HostError = { code: 'ENOTRECORDED', message: 'was not recorded in the snapshot' };

/** The same recording with some answers replaced by others recorded elsewhere (or by a failure); `what` says which. */
export function withAnswers(recording: Recording, what: string, answers: Omit<FakeHostSetup, 'snapshot'>): Recording {
  const merged: Omit<FakeHostSetup, 'snapshot'> = {
    commands: [...(recording.answers.commands ?? []), ...(answers.commands ?? [])],
    files: { ...recording.answers.files, ...answers.files },
    dirs: { ...recording.answers.dirs, ...answers.dirs },
    stats: { ...recording.answers.stats, ...answers.stats },
  };
  const { reportPath: _printedForOtherAnswers, ...rest } = recording;
  return { ...rest, name: `${recording.name} with ${what}`, answers: merged };
}

/** The lab's rootless user, as its snapshots record it. */
export const NDLAB: Partial<HostContext> = { uid: 1500, gid: 1500, groups: [1500], user: 'ndlab' };

/** The same recording replayed as another user, as netdoctor would run there. */
export function asUser(recording: Recording, context: Partial<HostContext>): Recording {
  const { reportPath: _printedAsAnother, ...rest } = recording;
  return { ...rest, name: `${recording.name} as ${context.user ?? `uid ${context.uid}`}`, context };
}
