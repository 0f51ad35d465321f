// The preload's delivery: an emptyDir, the init container that copies the instrumentation image's files into it,
// and the read-only mount in each instrumented container.
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { InjectedNames, InstrumentationImagePaths } from '../constants.js';
import { copyResources } from './resources.js';
import { PRELOAD_COPIER_UID, restrictedSecurityContext } from './security-context.js';
import { deepFreeze, oncePerSpec } from './shared-parts.js';

/** Shared by every pod (frozen, see shared-parts.ts). */
export const preloadVolume = oncePerSpec((spec): V1Volume => ({ name: InjectedNames.volume, emptyDir: { sizeLimit: spec.instrumentation.volumeSizeLimit } }));

const PRELOAD_MOUNT: V1VolumeMount = deepFreeze({ name: InjectedNames.volume, mountPath: InjectedNames.mountPath, readOnly: true });

export function preloadMount(): V1VolumeMount {
  return PRELOAD_MOUNT;
}

/** Shared by every pod (frozen, see shared-parts.ts). */
export const preloadCopier = oncePerSpec((spec): V1Container => {
  const { image, imagePullPolicy, resources } = spec.instrumentation;
  return {
    name: InjectedNames.initContainer,
    image,
    imagePullPolicy,
    command: ['cp', '-r', `${InstrumentationImagePaths.sourceDir}/.`, InjectedNames.mountPath],
    resources: copyResources(resources),
    volumeMounts: [{ name: InjectedNames.volume, mountPath: InjectedNames.mountPath }],
    securityContext: restrictedSecurityContext(PRELOAD_COPIER_UID),
  };
});
