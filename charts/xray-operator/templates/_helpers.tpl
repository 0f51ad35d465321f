{{/* Release-scoped name of every object; kept under 63 characters. */}}
{{- define "xray-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "xray-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "xray-operator.labels" -}}
{{ include "xray-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "xray-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "xray-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "xray-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "xray-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xray-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "xray-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Cluster-scoped, so it carries the namespace: two releases in different namespaces don't collide. */}}
{{- define "xray-operator.webhookConfigName" -}}
{{- printf "%s-%s" (include "xray-operator.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xray-operator.clusterRoleName" -}}
{{- include "xray-operator.webhookConfigName" . -}}
{{- end -}}

{{- define "xray-operator.certSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "xray-operator.fullname" .)) .Values.certificates.secretName -}}
{{- end -}}

{{- define "xray-operator.leaseName" -}}
{{- default (printf "%s-leader" (include "xray-operator.fullname" .)) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "xray-operator.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* An injected image (repository, tag, digest) as a reference: the digest, when set, pins it. */}}
{{- define "xray-operator.imageRef" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* Where the operator reads the serving certificate in cert-manager mode. */}}
{{- define "xray-operator.certDir" -}}
/var/run/xray-operator/webhook-tls
{{- end -}}

{{- define "xray-operator.certManagerEnabled" -}}
{{- if eq .Values.certificates.mode "cert-manager" }}true{{ end -}}
{{- end -}}

{{- define "xray-operator.serviceMonitorEnabled" -}}
{{- $setting := .Values.metrics.serviceMonitor.enabled | toString -}}
{{- if or (eq $setting "true") (and (eq $setting "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) }}true{{ end -}}
{{- end -}}

{{/* clusterName, else the kube-system Namespace UID (needs a cluster: install, upgrade, --dry-run=server). */}}
{{- define "xray-operator.clusterName" -}}
{{- if .Values.clusterName -}}
{{- .Values.clusterName -}}
{{- else -}}
{{- $kubeSystem := lookup "v1" "Namespace" "" "kube-system" -}}
{{- if and $kubeSystem $kubeSystem.metadata -}}
{{- $kubeSystem.metadata.uid -}}
{{- else -}}
{{- fail "clusterName is required when rendering without a cluster (helm template, --dry-run=client): set it to the EKS cluster name, e.g. --set clusterName=prod-eu-west-1" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The webhook's namespaceSelector and objectSelector as JSON, rendered once for the MutatingWebhookConfiguration and
for the operator's flags, so the controller leaves alone exactly the workloads the webhook never sees. The built-in
exclusion of kube-system and the release namespace comes first; user terms are ANDed with it.
*/}}
{{- define "xray-operator.webhookNamespaceSelector" -}}
{{- $excluded := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludedNamespaces | uniq -}}
{{- $exclusion := dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" $excluded -}}
{{- $selector := dict "matchExpressions" (concat (list $exclusion) .Values.webhook.namespaceSelector.matchExpressions) -}}
{{- with .Values.webhook.namespaceSelector.matchLabels }}{{ $_ := set $selector "matchLabels" . }}{{ end -}}
{{- toJson $selector -}}
{{- end -}}

{{/* Empty when the values set no objectSelector (every pod reaches the webhook). */}}
{{- define "xray-operator.webhookObjectSelector" -}}
{{- $selector := dict -}}
{{- with .Values.webhook.objectSelector.matchLabels }}{{ $_ := set $selector "matchLabels" . }}{{ end -}}
{{- with .Values.webhook.objectSelector.matchExpressions }}{{ $_ := set $selector "matchExpressions" . }}{{ end -}}
{{- if $selector }}{{ toJson $selector }}{{ end -}}
{{- end -}}
