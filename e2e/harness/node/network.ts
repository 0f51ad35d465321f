// The bed's pod network: a Linux bridge and a /24 of the bed's own. The bridge is made here, before the
// CNI bridge plugin sees it, so its gateway address exists from the start and can be the node's IP (the
// kubelet refuses a loopback node IP). Nothing is routed or NATed off the machine: the CNI config has
// ipMasq false, and the only routes are the bridge's own connected /24.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface PodNetwork {
  /** Bridge device name (≤ 15 characters). */
  bridge: string;
  /** `10.x.y.0/24` */
  subnet: string;
  /** `10.x.y.1`: the bridge's address, the pods' gateway and the node's IP. */
  gateway: string;
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A random bridge name and a 10.200–249.x.0/24 not yet on any interface of this machine. */
function choosePodNetwork(): PodNetwork {
  const inUse = ip(['-o', '-4', 'addr', 'show']);
  for (;;) {
    const [a, b, c] = randomBytes(3);
    const prefix = `10.${200 + (a! % 50)}.${b!}`;
    if (inUse.includes(` ${prefix}.`)) continue;
    return { bridge: `xo-br-${c!.toString(16).padStart(2, '0')}${b!.toString(16).padStart(2, '0')}`, subnet: `${prefix}.0/24`, gateway: `${prefix}.1` };
  }
}

export function createPodNetwork(): PodNetwork {
  const network = choosePodNetwork();
  ip(['link', 'add', 'name', network.bridge, 'type', 'bridge']);
  try {
    ip(['addr', 'add', `${network.gateway}/24`, 'dev', network.bridge]);
    ip(['link', 'set', network.bridge, 'up']);
  } catch (error) {
    deletePodNetwork(network);
    throw error;
  }
  return network;
}

/** Deletes the bridge (its veths went with their pods' network namespaces). */
export function deletePodNetwork(network: PodNetwork): void {
  try {
    ip(['link', 'delete', network.bridge]);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer | string }).stderr?.toString() ?? '';
    if (!stderr.includes('Cannot find device')) throw error;
  }
}

/**
 * The CNI config list containerd reads: bridge (ours, gateway, no masquerade) + portmap + loopback. `ipamDir` keeps
 * host-local's address leases in the bed's directory instead of /var/lib/cni.
 */
export function cniConfigList(network: PodNetwork, ipamDir: string): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'xray-operator-e2e',
    plugins: [
      {
        type: 'bridge',
        bridge: network.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        // No routes, not even a default one: a pod reaches its /24 (other pods, and the host's bridge address
        // where the API server and the X-Ray emulator listen) and nothing else.
        ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: network.subnet, gateway: network.gateway }]] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  }, null, 2);
}
