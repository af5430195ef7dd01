import { shellLine } from '../core/shell.js';
import { failureReason } from './docker.js';
import { defineFact } from '../core/facts.js';
import { describeError } from './files.js';

export const SS_UDP_LISTENERS = ['ss', '-Hlnup'];
export const SS_TCP_LISTENERS = ['ss', '-Hlntp'];
const PROC_NET_UDP = ['/proc/net/udp', '/proc/net/udp6'];
const PROC_NET_TCP = ['/proc/net/tcp', '/proc/net/tcp6'];

export interface SocketOwner {
  name: string;
  pid: number;
}

/** A bound UDP socket or a listening TCP socket. */
export interface SocketListener {
  /** The bound address without brackets or interface: "0.0.0.0", "::", "10.89.0.1". */
  address: string;
  port: number;
  /** Bound to every address of its family (or, for "*", of both). */
  wildcard: boolean;
  /** SO_BINDTODEVICE, from ss's "addr%iface". */
  device?: string;
  /** Empty when the reader may not see who owns the socket (ss without root, /proc/net/udp). */
  owners: SocketOwner[];
  /** The line it was read from, for evidence. */
  line: string;
}

export interface SocketListeners {
  listeners: SocketListener[];
  /** The command or files read. */
  source: string;
  /** Whether owners were visible: ss as root shows every socket's process. */
  ownersKnown: boolean;
}

function splitHostPort(local: string): { host: string; port: number } | undefined {
  const colon = local.lastIndexOf(':');
  if (colon < 0) return undefined;
  const port = Number(local.slice(colon + 1));
  return Number.isInteger(port) ? { host: local.slice(0, colon), port } : undefined;
}

/** Parses `ss -Hlnup` or `ss -Hlntp`: State Recv-Q Send-Q Local Peer [users:(("name",pid=N,fd=M),...)]. */
export function parseSsListeners(stdout: string): SocketListener[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => {
      const local = line.split(/\s+/)[3];
      const split = local === undefined ? undefined : splitHostPort(local);
      if (split === undefined) return [];
      const [hostPart = '', device] = split.host.split('%');
      const address = hostPart.replace(/^\[|\]$/g, '');
      const owners = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map((match) => ({
        name: match[1] ?? '',
        pid: Number(match[2]),
      }));
      const listener: SocketListener = {
        address: address === '*' ? '*' : address,
        port: split.port,
        wildcard: address === '*' || address === '0.0.0.0' || address === '::',
        owners,
        line,
      };
      if (device !== undefined) listener.device = device;
      return [listener];
    });
}

function hexToIpv4(hex: string): string {
  // /proc/net/udp prints the address as a host-order (little-endian) 32-bit word.
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .map((byte) => parseInt(byte, 16))
    .reverse()
    .join('.');
}

function hexToIpv6(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const groups = words.flatMap((word) => {
    const bytes = (word.match(/../g) ?? []).reverse().join('');
    return [bytes.slice(0, 4), bytes.slice(4, 8)];
  });
  const text = groups.map((group) => parseInt(group, 16).toString(16)).join(':');
  return text === '0:0:0:0:0:0:0:0' ? '::' : text;
}

/** The socket state that means "listening": 07 (unconnected) for UDP, 0A (LISTEN) for TCP. */
const LISTENING_STATE = { udp: '07', tcp: '0A' } as const;

/** Parses /proc/net/{udp,tcp}{,6}: only sockets that listen (bound UDP sockets, TCP sockets in LISTEN). */
export function parseProcNetSockets(content: string, path: string, protocol: 'udp' | 'tcp'): SocketListener[] {
  return content
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => {
      const [, local = '', remote = '', state] = line.split(/\s+/);
      if (state !== LISTENING_STATE[protocol] || !/^0+:0000$/.test(remote)) return [];
      const [hexAddress = '', hexPort = ''] = local.split(':');
      const address = hexAddress.length === 8 ? hexToIpv4(hexAddress) : hexToIpv6(hexAddress);
      return [
        {
          address,
          port: parseInt(hexPort, 16),
          wildcard: address === '0.0.0.0' || address === '::',
          owners: [],
          line: `${path}: ${line}`,
        },
      ];
    });
}

type ListenersRead = { ok: true; value: SocketListeners } | { ok: false; reason: string };

function listenersFact(protocol: 'udp' | 'tcp') {
  const argv = protocol === 'udp' ? SS_UDP_LISTENERS : SS_TCP_LISTENERS;
  const files = protocol === 'udp' ? PROC_NET_UDP : PROC_NET_TCP;
  return defineFact<ListenersRead>(`host:${protocol}-listeners`, async ({ host }) => {
    const result = await host.run(argv);
    if (result.exitCode === 0) {
      return {
        ok: true,
        value: {
          listeners: parseSsListeners(result.stdout),
          source: shellLine(argv),
          ownersKnown: host.context.uid === 0,
        },
      };
    }
    const reads = await Promise.all(files.map((path) => host.readFile(path)));
    const [ipv4] = reads;
    if (!ipv4?.ok)
      return { ok: false, reason: `${failureReason(result)}; ${ipv4 ? describeError(ipv4.path, ipv4.error) : ''}` };
    const listeners = reads.flatMap((file) => (file.ok ? parseProcNetSockets(file.content, file.path, protocol) : []));
    return { ok: true, value: { listeners, source: files.join(', '), ownersKnown: false } };
  });
}

/** Bound UDP sockets of this network namespace. ss names their processes (as root); /proc/net/udp does not. */
export const udpListeners = listenersFact('udp');

/** Listening TCP sockets of this network namespace, the same way. */
export const tcpListeners = listenersFact('tcp');

/**
 * Whether a listener takes this address and port from a socket on the given interface: bound to the address or
 * to the wildcard of its family, and not tied (SO_BINDTODEVICE) to another interface.
 */
export function holdsAddress(listener: SocketListener, address: string, port: number, iface?: string): boolean {
  if (listener.port !== port) return false;
  if (listener.device !== undefined && iface !== undefined && listener.device !== iface) return false;
  if (listener.address === address || listener.address === '*') return true;
  const ipv6 = address.includes(':');
  return listener.wildcard && (listener.address === '::') === ipv6;
}
