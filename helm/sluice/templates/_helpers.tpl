{{/*
Named templates of the sluice chart. "sluice.container", "sluice.volumes", "sluice.configChecksum" and
"sluice.terminationGracePeriodSeconds" are also the sidecar interface: another chart that has this chart as a
dependency includes them with the dependency's own context, e.g. include "sluice.container" .Subcharts.sluice
(README.md, "Sidecar"). Every template here therefore reads only .Values, .Release and .Chart of the context it gets.
*/}}

{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: cdc
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sluice.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the container reads its configuration: the ConfigMap volume's mount path and the file in it. */}}
{{- define "sluice.configDir" -}}/etc/sluice{{- end }}
{{- define "sluice.configFile" -}}sluice.yaml{{- end }}

{{- define "sluice.configMapName" -}}
{{- default (include "sluice.fullname" .) .Values.existingConfigMap }}
{{- end }}

{{- define "sluice.claimName" -}}
{{- default (printf "%s-offsets" (include "sluice.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/*
The configuration file: admin and shutdown from the chart's values (the probes and the Service depend on them), then
`config` as written.
*/}}
{{- define "sluice.configYaml" -}}
# Rendered by the sluice Helm chart: admin and shutdown from its values, pipelines (and defaults) from `config`.
admin:
  # All interfaces: the kubelet's probes and Prometheus reach the pod from outside.
  address: 0.0.0.0
  port: {{ .Values.admin.port }}
  {{- if .Values.admin.token.existingSecret }}
  token: ${SLUICE_ADMIN_TOKEN}
  {{- end }}
shutdown:
  grace-period: {{ .Values.shutdown.gracePeriodSeconds }}s
{{ toYaml .Values.config }}
{{- end }}

{{/* For pod annotations, so that a changed configuration restarts the pod (Sluice reads its file at start). */}}
{{- define "sluice.configChecksum" -}}
{{- if .Values.existingConfigMap }}
{{- printf "%s/%s" .Values.existingConfigMap .Values.existingConfigMapKey | sha256sum }}
{{- else }}
{{- include "sluice.configYaml" . | sha256sum }}
{{- end }}
{{- end }}

{{/* Every file offsets store in `config`, as a JSON list of {"at": KEY PATH, "file": PATH}. */}}
{{- define "sluice.offsetFiles" -}}
{{- $files := list }}
{{- if not .Values.existingConfigMap }}
{{- $stores := list }}
{{- with .Values.config.defaults }}
{{- $stores = append $stores (list "config.defaults.offsets" .offsets) }}
{{- end }}
{{- range $index, $pipeline := .Values.config.pipelines }}
{{- $stores = append $stores (list (printf "config.pipelines[%d].offsets" $index) $pipeline.offsets) }}
{{- end }}
{{- range $stores }}
{{- $store := index . 1 }}
{{- if and (kindIs "map" $store) (hasKey $store "file") }}
{{- $files = append $files (dict "at" (printf "%s.file" (index . 0)) "file" (toString $store.file)) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $files }}
{{- end }}

{{/* "true" when the pod needs the offsets volume, else empty. */}}
{{- define "sluice.offsetsVolume" -}}
{{- if or .Values.persistence.enabled (include "sluice.offsetFiles" . | fromJsonArray) }}true{{ end }}
{{- end }}

{{- define "sluice.terminationGracePeriodSeconds" -}}
{{- $grace := int .Values.shutdown.gracePeriodSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $grace 15 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) $grace }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than shutdown.gracePeriodSeconds (%d): Kubernetes would kill Sluice before it finished delivering what it read and committing its offsets" (int .Values.terminationGracePeriodSeconds) $grace) }}
{{- else }}
{{- int .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/*
Fails on a secret written into `config`: keys holding passwords, API keys, hash keys, tokens and JAAS configs must be a
${NAME} or ${file:/path} reference. The message names the key, never the value. Called with (list PATH NODE).
*/}}
{{- define "sluice.requireSecretReferences" -}}
{{- $path := index . 0 }}
{{- $node := index . 1 }}
{{- if kindIs "map" $node }}
{{- range $key, $value := $node }}
{{- $at := printf "%s.%s" $path $key }}
{{- if and (regexMatch "(^|[.-])(password|api-key|hash-key|token)$|^sasl[.]jaas[.]config$" $key) (not (kindIs "invalid" $value)) (not (regexMatch "^[$][{](file:[^}]+|[A-Za-z_][A-Za-z0-9_]*)[}]$" (toString $value))) }}
{{- fail (printf "%s: write a reference, ${NAME} (an environment variable set from a Secret with secretEnv or existingSecret) or ${file:/path} (a mounted Secret), never the secret itself" $at) }}
{{- end }}
{{- include "sluice.requireSecretReferences" (list $at $value) }}
{{- end }}
{{- else if kindIs "slice" $node }}
{{- range $index, $value := $node }}
{{- include "sluice.requireSecretReferences" (list (printf "%s[%d]" $path $index) $value) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Checks across values that values.schema.json cannot express. Renders nothing. */}}
{{- define "sluice.validate" -}}
{{- if not .Values.existingConfigMap }}
{{- include "sluice.requireSecretReferences" (list "config" .Values.config) }}
{{- end }}
{{- $mount := trimSuffix "/" .Values.persistence.mountPath }}
{{- range include "sluice.offsetFiles" . | fromJsonArray }}
{{- if not (hasPrefix (printf "%s/" $mount) (clean .file)) }}
{{- fail (printf "%s: %s is outside persistence.mountPath (%s), the only writable place for an offsets file (the root filesystem is read-only): put the file under %s/" .at .file $mount $mount) }}
{{- end }}
{{- end }}
{{- $_ := include "sluice.terminationGracePeriodSeconds" . }}
{{- if eq .Values.mode "sidecar" }}
{{- range $key := list "serviceMonitor" "podDisruptionBudget" }}
{{- if (index $.Values $key).enabled }}
{{- fail (printf "%s.enabled: the chart renders no Service or pod in sidecar mode; scrape or protect the pod that includes the sidecar from its own chart" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Sluice container, as an item of a pod's containers list. */}}
{{- define "sluice.container" -}}
- name: sluice
  image: {{ include "sluice.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args:
    - run
    - --config
    - {{ printf "%s/%s" (include "sluice.configDir" .) (include "sluice.configFile" .) }}
  ports:
    - name: sluice-admin
      containerPort: {{ .Values.admin.port }}
      protocol: TCP
  {{- $env := include "sluice.env" . | trim }}
  {{- if $env }}
  env:
    {{- $env | nindent 4 }}
  {{- end }}
  {{- if .Values.existingSecret }}
  envFrom:
    - secretRef:
        name: {{ .Values.existingSecret }}
  {{- end }}
  startupProbe:
    httpGet:
      path: /health/live
      port: sluice-admin
    {{- toYaml .Values.probes.startup | nindent 4 }}
  livenessProbe:
    httpGet:
      path: /health/live
      port: sluice-admin
    {{- toYaml .Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /health/ready
      port: sluice-admin
    {{- toYaml .Values.probes.readiness | nindent 4 }}
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: sluice-config
      mountPath: {{ include "sluice.configDir" . }}
      readOnly: true
    - name: sluice-tmp
      mountPath: /tmp
    {{- if include "sluice.offsetsVolume" . }}
    - name: sluice-offsets
      mountPath: {{ .Values.persistence.mountPath }}
    {{- end }}
    {{- with .Values.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{- define "sluice.env" -}}
{{- if eq .Values.logFormat "json" }}
- name: SLUICE_LOG_FORMAT
  value: json
{{- end }}
{{- with .Values.javaToolOptions }}
- name: JAVA_TOOL_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- with .Values.admin.token.existingSecret }}
- name: SLUICE_ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.admin.token.key }}
{{- end }}
{{- range .Values.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The volumes the Sluice container mounts, as items of a pod's volumes list. */}}
{{- define "sluice.volumes" -}}
- name: sluice-config
  configMap:
    name: {{ include "sluice.configMapName" . }}
    items:
      - key: {{ if .Values.existingConfigMap }}{{ .Values.existingConfigMapKey }}{{ else }}{{ include "sluice.configFile" . }}{{ end }}
        path: {{ include "sluice.configFile" . }}
- name: sluice-tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if include "sluice.offsetsVolume" . }}
- name: sluice-offsets
  persistentVolumeClaim:
    claimName: {{ include "sluice.claimName" . }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}
