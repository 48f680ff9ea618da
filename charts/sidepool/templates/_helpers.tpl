{{/* The release's full name (truncated to 63 characters, as Kubernetes names and labels need). */}}
{{- define "sidepool.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sidepool.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "sidepool.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "sidepool.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "sidepool.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sidepool.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The webhook Service; the serving certificate is issued for <service>.<namespace>.svc. */}}
{{- define "sidepool.webhookService" -}}
{{- printf "%s-webhook" (include "sidepool.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The MutatingWebhookConfiguration (cluster-scoped: the namespace is part of the name). */}}
{{- define "sidepool.webhookConfiguration" -}}
{{- printf "%s-%s" .Release.Namespace (include "sidepool.fullname" .) | trunc 253 -}}
{{- end -}}

{{/* The Secret cert-manager writes (cert-manager mode). */}}
{{- define "sidepool.certSecret" -}}
{{- printf "%s-webhook-tls" (include "sidepool.fullname" .) | trunc 253 -}}
{{- end -}}

{{/* The Secret the operator keeps its own CA and certificate in (self-signed mode; CertificateOptions.SecretName). */}}
{{- define "sidepool.selfSignedSecret" -}}sidepool-webhook-tls{{- end -}}

{{- define "sidepool.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The operator's arguments; a value left at its default adds no flag, so the operator's own default applies. */}}
{{- define "sidepool.args" -}}
- --operator-namespace=$(POD_NAMESPACE)
- --identity=$(POD_NAME)
- --metrics-port={{ .Values.metrics.port }}
- --webhook-port={{ .Values.webhook.port }}
- --webhook-service={{ include "sidepool.webhookService" . }}
- --webhook-configuration={{ include "sidepool.webhookConfiguration" . }}
- --cert-mode={{ .Values.certificates.mode }}
{{- if eq .Values.certificates.mode "cert-manager" }}
- --cert-dir=/etc/sidepool/webhook-tls
{{- end }}
- --leader-elect={{ .Values.leaderElection.enabled }}
- --lease-name={{ include "sidepool.fullname" . }}
- --sidecar-mode={{ .Values.sidecar.mode }}
- --agent-port={{ .Values.sidecar.agentPort }}
{{- with .Values.sidecar.image }}
- --default-image={{ . }}
{{- end }}
{{- range .Values.watchNamespaces }}
- --namespace={{ . }}
{{- end }}
- --log-level={{ .Values.logLevel }}
{{- range .Values.sidecar.allowedImagePrefixes }}
- --allowed-image-prefix={{ . }}
{{- end }}
{{- with .Values.sidecar.defaultResources }}
- --default-sidecar-resources={{ toJson . }}
{{- end }}
{{- end -}}
