import { lstat, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { aardvarkDir } from './aardvark.js';
import { Engine } from './engine.js';
import type { EngineKind } from './engine-kind.js';
import { baseEnv, ok, run } from './exec.js';
import { queryAlternative, watchedSysctls } from './guard.js';
import { DOCKER, LAB_PREFIX } from './paths.js';

/** Rules that name the lab's links or the subnets of its hand-made networks (10.231.0.0/16). */
export const HANDMADE_RULE = /ndl-|10\.231\./;

/** Files whose presence, type, mode or link target a scenario changes. */
export const WATCHED_PATHS = [
  '/dev/net/tun',
  '/usr/sbin/iptables',
  '/usr/sbin/ip6tables',
  '/usr/sbin/iptables-save',
  '/usr/lib/podman/aardvark-dns',
  '/usr/lib/podman/netavark',
  '/usr/bin/slirp4netns',
  '/usr/sbin/dnsmasq',
  '/usr/lib/cni/dnsname',
  '/usr/sbin/dockerd',
];
/** Folders where a scenario or a printed fix writes files (only ndl-* entries count in the engines' folders). */
export async function watchedDirs(): Promise<{ dir: string; labOnly: boolean }[]> {
  return [
    { dir: '/etc/sysctl.d', labOnly: false },
    { dir: '/etc/udev/rules.d', labOnly: false },
    { dir: '/etc/cni/net.d', labOnly: true },
    { dir: '/var/lib/cni/networks', labOnly: true },
    { dir: (await aardvarkDir('podman'))!, labOnly: true },
    { dir: (await aardvarkDir('rootless'))!, labOnly: true },
  ];
}

async function describePath(path: string): Promise<string> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const target = await readlink(path);
      const real = await realpath(path).catch(() => '(dangling)');
      const mode = await stat(path).then(
        (resolved) => (resolved.mode & 0o7777).toString(8),
        () => '-',
      );
      return `symlink -> ${target} (${real} mode ${mode})`;
    }
    return `${info.isCharacterDevice() ? 'char' : info.isDirectory() ? 'dir' : 'file'} mode ${(info.mode & 0o7777).toString(8)}`;
  } catch {
    return 'absent';
  }
}

/**
 * What "the host as it was" means for the lab: sysctls it may change, the files it moves or chmods, files in the
 * folders fixes write to, whether dockerd answers, and the lab's own (ndl-*) objects in the four stores.
 */
export async function fingerprint(): Promise<Map<string, string>> {
  const print = new Map<string, string>();
  for (const path of await watchedSysctls()) {
    const value = await readFile(path, 'utf8').catch(() => undefined);
    if (value !== undefined)
      print.set(`sysctl ${path.replace('/proc/sys/', '').replaceAll('/', '.')}`, value.trim().split(/\s+/).join(' '));
  }
  for (const path of WATCHED_PATHS) print.set(`path ${path}`, await describePath(path));
  for (const { dir, labOnly } of await watchedDirs()) {
    const entries = await readdir(dir).catch(() => undefined);
    const shown = entries
      ?.filter((entry) => !labOnly || entry.startsWith(LAB_PREFIX))
      .sort()
      .join(' ');
    print.set(`dir ${dir}`, shown === undefined ? (labOnly ? '' : 'absent') : shown);
  }
  const [docker, ...objects] = await Promise.all([
    run([DOCKER, 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000, env: baseEnv() }),
    ...(['podman', 'cni', 'rootless', 'docker'] as EngineKind[]).map(async (kind) => {
      const engine = new Engine(kind);
      const [containers, networks] = await Promise.all([
        engine.cmd(['ps', '-a', '--format', '{{.Names}}'], 30_000),
        engine.cmd(['network', 'ls', '--format', '{{.Name}}'], 30_000),
      ]);
      const names = (result: typeof containers) =>
        ok(result)
          ? result.stdout
              .split('\n')
              .map((line) => line.trim())
              .filter((name) => name.startsWith(LAB_PREFIX))
              .sort()
              .join(' ')
          : '(unknown)';
      return [kind, `containers: ${names(containers)}; networks: ${names(networks)}`] as const;
    }),
  ]);
  print.set('dockerd', ok(docker!) ? 'answers' : 'does not answer');
  for (const [kind, text] of objects) print.set(`lab objects (${kind})`, text);
  for (const tool of ['iptables', 'ip6tables']) {
    const alternative = await queryAlternative(tool).catch(() => undefined);
    print.set(
      `alternative ${tool}`,
      alternative !== undefined ? `${alternative.status} ${alternative.value}` : '(unknown)',
    );
  }
  // Tables iptables-legacy registered in the host's namespace stay until reboot: none may appear.
  for (const file of ['/proc/net/ip_tables_names', '/proc/net/ip6_tables_names']) {
    print.set(
      `legacy tables ${file}`,
      (await readFile(file, 'utf8').catch(() => '(absent)'))
        .split('\n')
        .filter((name) => name !== '')
        .sort()
        .join(' '),
    );
  }
  const namespaces = await run(['ip', 'netns', 'list'], { timeoutMs: 15_000, env: baseEnv() });
  print.set(
    'lab network namespaces',
    namespaces.stdout
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name.startsWith(LAB_PREFIX))
      .sort()
      .join(' '),
  );
  // Hand-made networks: the lab's links, the rules that name them or their subnets, nft tables, FORWARD's policy.
  const links = await run(['ip', '-o', 'link', 'show'], { timeoutMs: 15_000, env: baseEnv() });
  print.set(
    'lab links',
    links.stdout
      .split('\n')
      .map((line) => (line.split(': ')[1] ?? '').split('@')[0] ?? '')
      .filter((name) => name.startsWith(LAB_PREFIX))
      .sort()
      .join(' '),
  );
  for (const table of ['filter', 'nat']) {
    const listed = await run(['iptables-nft', '-w', '5', '-t', table, '-S'], { timeoutMs: 15_000, env: baseEnv() });
    print.set(
      `iptables ${table}: policies and rules of lab objects`,
      ok(listed)
        ? listed.stdout
            .split('\n')
            .filter((line) => line.startsWith('-P ') || HANDMADE_RULE.test(line))
            .join(' | ')
        : '(unknown)',
    );
  }
  const tables = await run(['nft', 'list', 'tables'], { timeoutMs: 15_000, env: baseEnv() });
  print.set(
    'lab nft tables',
    tables.stdout
      .split('\n')
      .filter((line) => line.includes('ndl'))
      .sort()
      .join(' | '),
  );
  print.set('CNI-FORWARD rules for 10.90.2xx', await cniForwardLabRules());
  return print;
}

/** What `nft -j list chains` prints, as far as the fingerprint reads it. */
type NftChains = { nftables?: { chain?: { table?: string; name?: string } }[] };

/**
 * The CNI-FORWARD rules naming the lab's CNI subnets. The CNI firewall plugin creates the chain on the first CNI
 * container and never removes it, so on a host where no CNI container ever ran it does not exist: that is the
 * same host state as an existing chain without lab rules (""). A chain that exists but cannot be listed stays
 * "(unknown)", which differs from any listing.
 */
async function cniForwardLabRules(): Promise<string> {
  // iptables-nft by name: whatever the alternative says, listing must not create legacy tables.
  const rules = await run(['iptables-nft', '-w', '5', '-S', 'CNI-FORWARD'], { timeoutMs: 15_000, env: baseEnv() });
  const labRule = (line: string) => / 10\.90\.2\d\d\./.test(line);
  if (ok(rules)) return rules.stdout.split('\n').filter(labRule).join(' | ');
  // iptables-nft 1.8.9 says "incompatible" for a chain that does not exist too: nft tells the two apart.
  const chains = await run(['nft', '-j', 'list', 'chains', 'ip'], { timeoutMs: 15_000, env: baseEnv() });
  if (!ok(chains)) return '(unknown)';
  try {
    const listed = (JSON.parse(chains.stdout) as NftChains).nftables ?? [];
    const exists = listed.some((item) => item.chain?.table === 'filter' && item.chain.name === 'CNI-FORWARD');
    return exists ? '(unknown)' : '';
  } catch {
    return '(unknown)';
  }
}

/** What differs between two fingerprints (sysctls of interfaces that came or went are not differences). */
export function compareFingerprints(before: Map<string, string>, after: Map<string, string>): string[] {
  const differences: string[] = [];
  for (const [key, value] of before) {
    const now = after.get(key);
    if (now === undefined) {
      if (!key.startsWith('sysctl ')) differences.push(`${key}: was "${value}", now unknown`);
      continue;
    }
    if (now !== value) differences.push(`${key}: was "${value}", now "${now}"`);
  }
  return differences;
}
