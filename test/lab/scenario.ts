import type { Finding, Severity } from '../../src/core/types.js';
import type { Report } from '../../src/core/report.js';
import type { Generation } from './lib/gen2.js';
import type { Lab, LabScenario } from './lib/lab.js';

/** A finding the scenario must produce. Subject fields narrow it to this scenario's objects. */
export interface ExpectedFinding {
  id: string;
  severity: Severity;
  subject?: {
    engine?: 'docker' | 'podman';
    /** Every one of these containers is named in subject.containers. */
    containers?: string[];
    /** Every one of these network namespaces is named in subject.namespaces. */
    namespaces?: string[];
    /** subject.network names this network (some findings list several, comma-separated). */
    network?: string;
    interface?: string;
    path?: string;
  };
  /** The finding's title matches. */
  title?: RegExp;
}

/**
 * How the fix is verified:
 * - printed: the commands netdoctor printed (findings[].fix.commands of the expected findings) are run as printed,
 *   or adapted by `adapt` for a stated reason (lab names, lab subnets); `then` does what the fix's summary asks
 *   besides the commands (recreate the containers);
 * - manual: the printed commands are not safe or not possible here (`reason`); the lab undoes the breakage itself
 *   with `apply`, and still proves that traffic is back and the finding is gone;
 * - none: there is nothing to fix (an info finding); only the broken state is proven and recorded.
 */
export type FixPlan =
  | {
      kind: 'printed';
      /** Host-level commands (sysctl, chmod) run as root; engine commands run as the scenario's identity. */
      runAs: 'root' | 'identity';
      adapt?: (commands: string[], lab: Lab) => { commands: string[]; note: string };
      /** Seconds to keep retrying a command that fails at first (a daemon that needs time to come up). */
      retrySeconds?: number;
      then?: (lab: Lab) => Promise<string | void>;
    }
  | { kind: 'manual'; reason: string; apply: (lab: Lab) => Promise<string | void> }
  | { kind: 'none'; reason: string };

/** A scenario: what the lab itself reads of it (LabScenario), and what the harness runs. */
interface ScenarioBase extends LabScenario {
  description: string;
  /**
   * The lab generations it runs on (default: 1 only): 1 is this host (Debian 12: podman 4.3, netavark 1.4, CNI,
   * docker 20.10); 2 is an environment of Debian 13's engines started for the scenario and thrown away after it
   * (lib/gen2.ts: podman 5.4, netavark 1.14 with nftables, pasta, docker 26, firewalld 2.3). On generation 2
   * the engines, netdoctor, printed fixes and `lab.root` run inside it, and `lab.guard` changes it, not the host.
   */
  generations?: readonly Generation[];
  /** Its own time limit, when the default (SCENARIO_LIMIT_MS) is too short: an emulated guest. */
  timeLimitMs?: number;
  /** Builds the state: containers, networks, and (for broken ones) the breakage. */
  setup(lab: Lab): Promise<void>;
}

/** A healthy host: real traffic works, and netdoctor reports no error. */
export interface BaselineScenario extends ScenarioBase {
  kind: 'baseline';
  /** Proves the healthy traffic (names resolve, peers and the outside host answer); returns what it saw. */
  proveHealthy(lab: Lab): Promise<string>;
}

/**
 * A broken host: the breakage is proven with real traffic, netdoctor must name it, and the fix must bring traffic back.
 */
export interface BrokenScenario extends ScenarioBase {
  kind: 'broken';
  /** The finding ids this scenario proves. */
  ids: string[];
  /** Proves the breakage with a bounded probe; throws when the host is not broken as intended. */
  proveBroken(lab: Lab): Promise<string>;
  expect: (lab: Lab) => ExpectedFinding[];
  /**
   * For states another session can undo (every `podman run` turns ip_forward back on): puts the breakage back
   * if it was undone, and says so (undefined when it held). The harness calls it when netdoctor missed the
   * finding, then runs netdoctor once more.
   */
  reassert?(lab: Lab): Promise<string | undefined>;
  fix: FixPlan;
  /** Proves that traffic is back after the fix; returns what it saw. */
  proveFixed?(lab: Lab): Promise<string>;
  /**
   * After the fix, what the fresh report must show. Default: none of the expected findings is left. For info
   * findings that stay by design, a scenario says what must change instead; returns a problem or undefined.
   */
  fixedReport?(report: Report, lab: Lab, stillThere: Finding[]): string | undefined;
}

export type Scenario = BaselineScenario | BrokenScenario;
