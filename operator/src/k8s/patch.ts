// Request options for the patch flavours: client-node picks JSON Patch unless the Content-Type is set per call.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../../core/src/constants.js';

export const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Parameters every server-side apply by the operator carries: our field manager, and force (we own these fields). */
export const APPLY_PARAMS = Object.freeze({ fieldManager: FIELD_MANAGER, force: true });
