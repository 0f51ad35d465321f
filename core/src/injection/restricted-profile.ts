// A pure checker of the Pod Security Standards `restricted` profile (which includes `baseline`), for Linux pods.
// Used to prove injected pods stay compliant; it mirrors the documented rules, not the admission plugin's code.
import type { V1Container, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';

const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

function podLevelViolations(spec: V1PodSpec): string[] {
  const v: string[] = [];
  if (spec.hostNetwork) v.push('hostNetwork is true');
  if (spec.hostPID) v.push('hostPID is true');
  if (spec.hostIPC) v.push('hostIPC is true');
  const sc = spec.securityContext ?? {};
  if (sc.runAsUser === 0) v.push('pod runAsUser is 0');
  if (sc.seccompProfile?.type === 'Unconfined') v.push('pod seccompProfile is Unconfined');
  if (sc.appArmorProfile?.type === 'Unconfined') v.push('pod appArmorProfile is Unconfined');
  if (!SELINUX_TYPES.has(sc.seLinuxOptions?.type ?? '') || sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) v.push('pod seLinuxOptions not allowed');
  if (sc.windowsOptions?.hostProcess) v.push('pod hostProcess is true');
  for (const sysctl of sc.sysctls ?? []) if (!SAFE_SYSCTLS.has(sysctl.name)) v.push(`sysctl ${sysctl.name} is not safe`);
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) if (!RESTRICTED_VOLUME_TYPES.has(type)) v.push(`volume "${volume.name}" has type ${type}`);
  }
  return v;
}

function containerViolations(container: V1Container, spec: V1PodSpec): string[] {
  const v: string[] = [];
  const where = `container "${container.name}"`;
  const sc: V1SecurityContext = container.securityContext ?? {};
  const pod = spec.securityContext ?? {};
  if (sc.privileged) v.push(`${where}: privileged`);
  if (sc.allowPrivilegeEscalation !== false) v.push(`${where}: allowPrivilegeEscalation is not false`);
  const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot !== true) v.push(`${where}: runAsNonRoot is not true`);
  if (sc.runAsUser === 0) v.push(`${where}: runAsUser is 0`);
  const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (!seccomp || !SECCOMP_OK.has(seccomp)) v.push(`${where}: seccompProfile is not RuntimeDefault or Localhost`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${where}: capabilities do not drop ALL`);
  for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${where}: adds capability ${cap}`);
  if (sc.procMount && sc.procMount !== 'Default') v.push(`${where}: procMount is ${sc.procMount}`);
  if (sc.appArmorProfile?.type === 'Unconfined') v.push(`${where}: appArmorProfile is Unconfined`);
  if (!SELINUX_TYPES.has(sc.seLinuxOptions?.type ?? '') || sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) v.push(`${where}: seLinuxOptions not allowed`);
  if (sc.windowsOptions?.hostProcess) v.push(`${where}: hostProcess`);
  for (const port of container.ports ?? []) if (port.hostPort) v.push(`${where}: hostPort ${port.hostPort}`);
  return v;
}

/** Every way the pod breaks the `restricted` profile; empty when it complies. */
export function restrictedProfileViolations(spec: V1PodSpec): string[] {
  const containers = [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as V1Container[])];
  return [...podLevelViolations(spec), ...containers.flatMap((c) => containerViolations(c, spec))];
}
