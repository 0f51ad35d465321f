// The patch flavours: which Content-Type a patch body goes with. JSON Patch unless a call names another.
import { PatchStrategy } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../../core/src/constants.js';

export interface PatchFlavour {
  contentType: string;
}

export const jsonPatch: PatchFlavour = Object.freeze({ contentType: PatchStrategy.JsonPatch });
export const serverSideApply: PatchFlavour = Object.freeze({ contentType: PatchStrategy.ServerSideApply });
export const mergePatch: PatchFlavour = Object.freeze({ contentType: PatchStrategy.MergePatch });

/** Parameters every server-side apply by the operator carries: our field manager, and force (we own these fields). */
export const APPLY_PARAMS = Object.freeze({ fieldManager: FIELD_MANAGER, force: true });
