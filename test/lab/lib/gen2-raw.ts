import { mkdir, rm, writeFile } from 'node:fs/promises';
import { LabError, brief, ok } from './exec.js';
import type { Engine } from './engine.js';
import type { Lab } from './lab.js';
import { RAW_DIR_GEN2 } from './paths.js';

/**
 * What generation 2's engines print, saved as they print it (test/fixtures/gen2-raw/<scenario>/) for the
 * authors of the checks that read it: podman info and networks (rootful, and rootless when the scenario runs as
 * ndlab), the nftables ruleset, iptables-save, and docker info and networks when the environment runs dockerd.
 */
export async function recordRawOutputs(lab: Lab): Promise<string> {
  const dir = `${RAW_DIR_GEN2}/${lab.scenario.name}`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const saved: string[] = [];
  const save = async (file: string, text: string) => {
    await writeFile(`${dir}/${file}`, text.endsWith('\n') ? text : `${text}\n`);
    saved.push(file);
  };
  const must = async (what: string, result: Awaited<ReturnType<Lab['root']>>) => {
    if (!ok(result)) throw new LabError(`raw output ${what}: ${brief(result, 200)}`);
    return result.stdout;
  };
  const podmanOutputs = async (engine: Engine, name: string) => {
    await save(`${name}-info.json`, await must(`${name} info`, await engine.cmd(['info', '--format', 'json'])));
    const listed = await must(`${name} network ls`, await engine.cmd(['network', 'ls', '--format', 'json']));
    await save(`${name}-network-ls.json`, listed);
    const networks = (JSON.parse(listed) as { name?: string; Name?: string }[])
      .map((network) => network.name ?? network.Name ?? '')
      .filter((network) => network !== '');
    await save(
      `${name}-network-inspect.json`,
      await must(`${name} network inspect`, await engine.cmd(['network', 'inspect', ...networks])),
    );
  };
  await podmanOutputs(lab.podman, 'podman');
  if (lab.scenario.identity === 'ndlab') await podmanOutputs(lab.rootless, 'rootless-podman');
  await save('nft-ruleset.json', await must('nft -j list ruleset', await lab.root(['nft', '-j', 'list', 'ruleset'])));
  await save('iptables-save.txt', await must('iptables-save', await lab.root(['iptables-save'])));
  if (lab.scenario.environment?.includes('docker')) {
    await save('docker-info.json', await must('docker info', await lab.docker.cmd(['info', '--format', '{{json .}}'])));
    const ids = (await must('docker network ls', await lab.docker.cmd(['network', 'ls', '-q'])))
      .split('\n')
      .filter((id) => id.trim() !== '');
    await save(
      'docker-network-inspect.json',
      await must('docker network inspect', await lab.docker.cmd(['network', 'inspect', ...ids])),
    );
  }
  return `${saved.length} files in test/fixtures/gen2-raw/${lab.scenario.name}/`;
}
