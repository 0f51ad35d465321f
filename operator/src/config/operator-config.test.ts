import { describe, expect, it } from 'vitest';
import { ConfigError, parseHostPort, parseOperatorConfig } from './operator-config.js';

describe('parseOperatorConfig', () => {
  it('takes flags over environment over defaults and freezes the result', () => {
    const config = parseOperatorConfig(['--cluster-name', 'prod', '--log-level', 'debug'], {
      XRAY_OPERATOR_LOG_LEVEL: 'warn',
      POD_NAMESPACE: 'tracing',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.clusterName).toBe('prod');
    expect(config.logLevel).toBe('debug');
    expect(config.namespace).toBe('tracing');
    expect(config.region).toBe('eu-west-1');
    expect(config.webhookListen).toEqual({ host: '0.0.0.0', port: 9443 });
    expect(config.leaderElect).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the injected images an installation mirrors, and leaves them unset by default', () => {
    expect(parseOperatorConfig(['--cluster-name', 'c'], {}).defaults).toEqual({ instrumentationImage: undefined, collectorImage: undefined });
    const config = parseOperatorConfig(['--cluster-name', 'c', '--collector-image', 'mirror/adot:1'], { XRAY_OPERATOR_INSTRUMENTATION_IMAGE: 'mirror/xo:1' });
    expect(config.defaults).toEqual({ instrumentationImage: 'mirror/xo:1', collectorImage: 'mirror/adot:1' });
  });

  it('compiles the X-Ray endpoint allow pattern to match whole URLs, and names a pattern that does not compile', () => {
    const { defaults } = parseOperatorConfig(['--cluster-name', 'c', '--aws-endpoint-allow-pattern', 'https://xray\\.[a-z0-9-]+\\.amazonaws\\.com'], {});
    expect(defaults.awsEndpointAllowPattern?.test('https://xray.eu-west-1.amazonaws.com')).toBe(true);
    expect(defaults.awsEndpointAllowPattern?.test('https://xray.eu-west-1.amazonaws.com.evil.example')).toBe(false);
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--aws-endpoint-allow-pattern', 'https://(xray'], {})).toThrow(
      /--aws-endpoint-allow-pattern must be a regular expression, got "https:\/\/\(xray"/,
    );
  });

  it('reads the webhook\'s selectors as JSON LabelSelectors, and selects everything without them', () => {
    expect(parseOperatorConfig(['--cluster-name', 'c'], {}).webhookSelection).toEqual({ namespaceSelector: undefined, objectSelector: undefined });
    const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] };
    const config = parseOperatorConfig(['--cluster-name', 'c', `--webhook-namespace-selector=${JSON.stringify(namespaceSelector)}`], {
      XRAY_OPERATOR_WEBHOOK_OBJECT_SELECTOR: '{"matchLabels":{"tracing":"on"}}',
    });
    expect(config.webhookSelection).toEqual({ namespaceSelector, objectSelector: { matchLabels: { tracing: 'on' } } });
  });

  it('refuses a selector that is not JSON or not a LabelSelector, saying what is allowed', () => {
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--webhook-object-selector', 'team=shop'], {})).toThrow(/--webhook-object-selector must be a JSON LabelSelector/);
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--webhook-object-selector', '{"matchExpressions":[{"key":"a","operator":"Equals"}]}'], {}))
      .toThrow('--webhook-object-selector is not a valid LabelSelector: matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist');
  });

  it('caps operator-caused rollouts in the cluster at 10 by default, at the given count, or not at all with 0', () => {
    expect(parseOperatorConfig(['--cluster-name', 'c'], {}).maxConcurrentRollouts).toBe(10);
    expect(parseOperatorConfig(['--cluster-name', 'c', '--max-concurrent-rollouts', '3'], {}).maxConcurrentRollouts).toBe(3);
    expect(parseOperatorConfig(['--cluster-name', 'c'], { XRAY_OPERATOR_MAX_CONCURRENT_ROLLOUTS: '0' }).maxConcurrentRollouts).toBeUndefined();
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--max-concurrent-rollouts', 'many'], {})).toThrow('--max-concurrent-rollouts must be a whole number, got "many"');
  });

  it('requires a cluster name because it scopes the owned X-Ray rules', () => {
    expect(() => parseOperatorConfig([], {})).toThrow(/--cluster-name/);
  });

  it('names the allowed values when a value is invalid', () => {
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--log-level', 'loud'], {})).toThrow(
      'must be one of trace, debug, info, warn, error, got "loud"',
    );
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--leader-elect', 'yes'], {})).toThrow(/true or false/);
  });

  it('needs both certificate files in files mode', () => {
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--cert-mode', 'files', '--tls-cert', 'a.pem'], {})).toThrow(ConfigError);
  });

  it('rejects unknown flags with a config error', () => {
    expect(() => parseOperatorConfig(['--cluster-name', 'c', '--nope', 'x'], {})).toThrow(ConfigError);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:8443', { host: '127.0.0.1', port: 8443 }],
    [':9443', { host: '0.0.0.0', port: 9443 }],
    ['[::1]:443', { host: '::1', port: 443 }],
  ])('parses %s', (input, expected) => {
    expect(parseHostPort(input, 'listen')).toEqual(expected);
  });

  it.each(['localhost', '1.2.3.4:99999', 'host:port'])('rejects %s', (input) => {
    expect(() => parseHostPort(input, 'listen')).toThrow(/HOST:PORT/);
  });
});
