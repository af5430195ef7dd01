import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/core/host.js';
import { Facts } from '../../src/core/facts.js';
import { commandKey } from '../../src/core/host.js';
import { DOCKER_STOPPED_IDS } from '../../src/facts/docker.js';
import { PODMAN_INFO } from '../../src/facts/podman.js';
import { PODMAN_ALL_CONTAINERS, podmanAllContainers } from '../../src/facts/podman-ports.js';
import { FOUNDATION } from '../../src/pipeline/foundation.js';
import { openSession } from '../../src/pipeline/pipeline.js';
import { FakeHost } from '../helpers/fake-host.js';
import { recordedSnapshot } from '../helpers/recorded.js';

/** A recorded host whose `podman info` answers only once the test lets it, and that tells when a command is asked. */
class HeldPodmanInfoHost extends FakeHost {
  podmanInfoAnswered = false;
  private letAnswer: () => void = () => undefined;
  private readonly held = new Promise<void>((resolve) => {
    this.letAnswer = resolve;
  });
  private readonly waiting = new Map<string, () => void>();

  letPodmanInfoAnswer(): void {
    this.letAnswer();
  }

  /** Resolves when `argv` is asked for (at once if it was). */
  asked(argv: readonly string[]): Promise<void> {
    if (this.timesAsked('run', argv) > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(commandKey(argv), resolve));
  }

  override async run(argv: readonly string[]): Promise<CommandResult> {
    this.waiting.get(commandKey(argv))?.();
    if (commandKey(argv) !== commandKey(PODMAN_INFO)) return super.run(argv);
    const answer = super.run(argv);
    await this.held;
    this.podmanInfoAnswered = true;
    return answer;
  }
}

const OPTIONS = { record: false, commandTimeoutMs: 1000, warmUp: 'diagnosis' } as const;

describe('openSession', () => {
  it('starts the listings of the containers that do not run beside podman info, before any check asks', async () => {
    const host = new HeldPodmanInfoHost({ snapshot: recordedSnapshot('healthy-rootful-netavark-docker') });
    const { facts } = await openSession(OPTIONS, host);
    await Promise.all([host.asked(PODMAN_ALL_CONTAINERS), host.asked(DOCKER_STOPPED_IDS)]);
    expect(host.podmanInfoAnswered).toBe(false);
    host.letPodmanInfoAnswer();
    await Promise.allSettled(FOUNDATION.map((fact) => facts.get(fact)));
    expect(host.timesAsked('run', PODMAN_INFO)).toBe(1);
  });

  it('starts nothing before a check asks when it has no warm-up (--only)', async () => {
    const host = new FakeHost({ snapshot: recordedSnapshot('healthy-rootful-netavark-docker') });
    await openSession({ ...OPTIONS, warmUp: undefined }, host);
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.requests).toEqual([]);
  });
});

describe('podmanAllContainers', () => {
  it('reads a listing podman gave without waiting for podman info', async () => {
    const host = new HeldPodmanInfoHost({ snapshot: recordedSnapshot('healthy-rootful-netavark-docker') });
    const listing = await new Facts(host).get(podmanAllContainers);
    expect(listing).toEqual({ ok: true, items: [], command: 'podman ps --all --format json' });
    expect(host.podmanInfoAnswered).toBe(false);
    host.letPodmanInfoAnswer();
  });

  it('is explained by podman info when the listing fails', async () => {
    const host = new FakeHost({
      snapshot: recordedSnapshot('healthy-rootful-netavark-docker'),
      commands: [
        { argv: PODMAN_INFO, exitCode: 125, stderr: 'Error: database is locked' },
        { argv: PODMAN_ALL_CONTAINERS, exitCode: 125, stderr: 'Error: database is locked' },
      ],
    });
    expect(await new Facts(host).get(podmanAllContainers)).toEqual({ ok: false, reason: 'podman cannot be used' });
  });
});
