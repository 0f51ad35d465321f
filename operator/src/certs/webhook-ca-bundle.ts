// The caBundle of our MutatingWebhookConfiguration: what the API server trusts when it calls the webhook.
import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import type { AdmissionApi } from '../k8s/rest/admission.js';
import type { Logger } from 'pino';
import { FIELD_MANAGER } from '../../../core/src/constants.js';
import { describeApiError, isNotFound } from '../k8s/errors.js';
import { caBundlePatch } from './ca-bundle-patch.js';

const decodeBase64 = (value: string | undefined): string => Buffer.from(value ?? '', 'base64').toString('utf8');

export class WebhookCaBundle {
  constructor(
    private readonly admission: AdmissionApi,
    readonly configName: string,
    private readonly logger: Logger,
  ) {}

  private async read(): Promise<V1MutatingWebhookConfiguration | undefined> {
    try {
      return await this.admission.readMutatingWebhookConfiguration({ name: this.configName });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`Failed to read MutatingWebhookConfiguration ${this.configName}: ${describeApiError(error)}`, { cause: error });
    }
  }

  /** Every PEM certificate the configuration's webhooks trust now ('' if it does not exist). */
  async trusted(): Promise<string> {
    const config = await this.read();
    return (config?.webhooks ?? []).map((webhook) => decodeBase64(webhook.clientConfig.caBundle)).join('\n');
  }

  /** Makes every webhook of the configuration trust exactly `caBundle` (PEM); writes only when one differs. */
  async ensure(caBundle: string): Promise<void> {
    const config = await this.read();
    if (!config) {
      this.logger.warn({ webhookConfig: this.configName }, 'MutatingWebhookConfiguration not found, will set its caBundle once it exists');
      return;
    }
    const patch = caBundlePatch(config, Buffer.from(caBundle, 'utf8').toString('base64'));
    if (patch.length === 0) return;
    await this.admission.patchMutatingWebhookConfiguration({ name: this.configName, body: patch, fieldManager: FIELD_MANAGER });
    this.logger.info({ webhookConfig: this.configName }, 'Updated the webhook caBundle');
  }
}
