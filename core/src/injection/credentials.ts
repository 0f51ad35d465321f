// AWS credentials EKS gives app containers (IRSA or Pod Identity: env + a projected token mount) are what the
// collector needs to call X-Ray; the sidecar gets copies of them.
import type { V1EnvVar, V1VolumeMount } from '@kubernetes/client-node';
import { AWS_CREDENTIAL_ENV, AWS_CREDENTIAL_VOLUMES } from '../constants.js';
import type { ContainerLike } from './types.js';

const credentialEnvNames: ReadonlySet<string> = new Set(AWS_CREDENTIAL_ENV);
const credentialVolumes: ReadonlySet<string> = new Set(AWS_CREDENTIAL_VOLUMES);

export interface Credentials {
  env: V1EnvVar[];
  volumeMounts: V1VolumeMount[];
}

/** Credential env and mounts of the given containers (the first container that has a name wins). */
export function credentialsOf(containers: readonly ContainerLike[]): Credentials {
  const env = new Map<string, V1EnvVar>();
  const mounts = new Map<string, V1VolumeMount>();
  for (const container of containers) {
    for (const entry of container.env ?? []) {
      if (credentialEnvNames.has(entry.name) && !env.has(entry.name)) env.set(entry.name, structuredClone(entry));
    }
    for (const mount of container.volumeMounts ?? []) {
      if (credentialVolumes.has(mount.name) && !mounts.has(mount.name)) mounts.set(mount.name, structuredClone(mount));
    }
  }
  return { env: [...env.values()], volumeMounts: [...mounts.values()] };
}

/** Adds to `target` the credential env and mounts it lacks. Returns whether anything was added. Mutates `target`. */
export function addMissingCredentials(target: ContainerLike, credentials: Credentials): boolean {
  const haveEnv = new Set((target.env ?? []).map((e) => e.name));
  const haveMounts = new Set((target.volumeMounts ?? []).map((m) => m.name));
  const haveMountPaths = new Set((target.volumeMounts ?? []).map((m) => m.mountPath));
  const env = credentials.env.filter((e) => !haveEnv.has(e.name));
  const mounts = credentials.volumeMounts.filter((m) => !haveMounts.has(m.name) && !haveMountPaths.has(m.mountPath));
  if (env.length) target.env = [...(target.env ?? []), ...env];
  if (mounts.length) target.volumeMounts = [...(target.volumeMounts ?? []), ...mounts];
  return env.length > 0 || mounts.length > 0;
}
