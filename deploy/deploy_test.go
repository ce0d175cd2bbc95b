package deploy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// manifests decodes every manifest strictly (unknown or misspelt fields
// fail) into its Kubernetes API type, by kind.
func manifests(t *testing.T) map[string]any {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(b, &tm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "policy/v1 PodDisruptionBudget":
			obj = &policyv1.PodDisruptionBudget{}
		case "autoscaling/v2 HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		default:
			t.Fatalf("%s: unexpected kind %q %q", f, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict(b, obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, dup := out[tm.Kind]; dup {
			t.Fatalf("%s: a second %s", f, tm.Kind)
		}
		out[tm.Kind] = obj
	}
	return out
}

func TestKubernetesManifests(t *testing.T) {
	m := manifests(t)
	for _, kind := range []string{"Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "HorizontalPodAutoscaler"} {
		if m[kind] == nil {
			t.Errorf("no %s manifest", kind)
		}
	}
	d, ok := m["Deployment"].(*appsv1.Deployment)
	if !ok {
		t.FailNow()
	}
	labels := d.Spec.Template.Labels
	for k, v := range d.Spec.Selector.MatchLabels {
		if labels[k] != v {
			t.Errorf("deployment selector %s=%s does not select its pods", k, v)
		}
	}
	c := d.Spec.Template.Spec.Containers[0]
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
		t.Error("readiness probe must GET /readyz")
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		t.Error("liveness probe must GET /healthz")
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Error("memory request and limit must be set")
	}
	var indexVolume bool
	for _, v := range d.Spec.Template.Spec.Volumes {
		for _, vm := range c.VolumeMounts {
			if vm.Name == v.Name && vm.MountPath == "/data" && v.EmptyDir != nil {
				indexVolume = true
			}
		}
	}
	if !indexVolume {
		t.Error("each replica needs its own emptyDir at /data for its index")
	}
	cm := m["ConfigMap"].(*corev1.ConfigMap)
	sec := m["Secret"].(*corev1.Secret)
	var fromConfigMap, fromSecret bool
	for _, from := range c.EnvFrom {
		fromConfigMap = fromConfigMap || (from.ConfigMapRef != nil && from.ConfigMapRef.Name == cm.Name)
		fromSecret = fromSecret || (from.SecretRef != nil && from.SecretRef.Name == sec.Name)
	}
	if !fromConfigMap || !fromSecret {
		t.Errorf("container env must come from the ConfigMap (%v) and the Secret (%v)", fromConfigMap, fromSecret)
	}
	// Every variable set is one the service reads.
	known := configVariables(t)
	keys := slices.Collect(mapsKeys(cm.Data))
	keys = append(keys, slices.Collect(mapsKeys(sec.StringData))...)
	for _, k := range keys {
		if strings.HasPrefix(k, "BROKERFINDER_") && !known[k] {
			t.Errorf("%s is not a configuration variable of brokerfinder", k)
		}
	}
	if _, ok := sec.StringData["BROKERFINDER_MONGODB_URI"]; !ok {
		t.Error("the store's URI belongs in the Secret")
	}
	hpa := m["HorizontalPodAutoscaler"].(*autoscalingv2.HorizontalPodAutoscaler)
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != d.Name {
		t.Errorf("autoscaler targets %s %s, not the deployment", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name)
	}
	pdb := m["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget)
	if pdb.Spec.Selector == nil || pdb.Spec.Selector.MatchLabels["app.kubernetes.io/name"] != labels["app.kubernetes.io/name"] {
		t.Error("disruption budget does not select the pods")
	}
	svc := m["Service"].(*corev1.Service)
	for k, v := range svc.Spec.Selector {
		if labels[k] != v {
			t.Errorf("service selector %s=%s does not select the pods", k, v)
		}
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// configVariables are the BROKERFINDER_* variables serve reads (the env
// tags of cmd/brokerfinder's config).
func configVariables(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../cmd/brokerfinder/config.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`env:"(BROKERFINDER_[A-Z_]+)"`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = true
	}
	if len(out) < 10 {
		t.Fatalf("found only %d variables in config.go", len(out))
	}
	return out
}

// composeFile is the part of the Compose specification compose.yaml uses;
// decoding is strict, so anything else is a typo.
type composeFile struct {
	Name     string                    `json:"name"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]struct{}       `json:"volumes"`
}

type composeService struct {
	Image string `json:"image"`
	Build *struct {
		Context string `json:"context"`
	} `json:"build"`
	Environment map[string]string `json:"environment"`
	Ports       []string          `json:"ports"`
	Volumes     []string          `json:"volumes"`
	DependsOn   json.RawMessage   `json:"depends_on"`
	Healthcheck *struct {
		Test     []string `json:"test"`
		Interval string   `json:"interval"`
		Timeout  string   `json:"timeout"`
		Retries  int      `json:"retries"`
	} `json:"healthcheck"`
}

func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		t.Fatal(err)
	}
	var replicas int
	known := configVariables(t)
	for name, s := range c.Services {
		if (s.Image == "") == (s.Build == nil) {
			t.Errorf("service %s: want an image or a build", name)
		}
		if s.Build != nil {
			replicas++
			if !strings.HasPrefix(s.Environment["BROKERFINDER_MONGODB_URI"], "mongodb://ferretdb:") {
				t.Errorf("replica %s does not use the FerretDB service", name)
			}
		}
		for k := range s.Environment {
			if strings.HasPrefix(k, "BROKERFINDER_") && !known[k] {
				t.Errorf("service %s: %s is not a configuration variable", name, k)
			}
		}
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); !strings.HasPrefix(src, "./") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("service %s: volume %s is not declared", name, src)
				}
			} else if _, err := os.Stat(src); err != nil {
				t.Errorf("service %s: %v", name, err)
			}
		}
	}
	if replicas != 2 {
		t.Errorf("%d brokerfinder replicas, want 2", replicas)
	}
	for _, want := range []string{"postgres", "ferretdb", "prometheus"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
}

// ruleFile is Prometheus's rule file format (rulefmt), decoded strictly.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func alertRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile("prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.UnmarshalStrict(b, &rf); err != nil {
		t.Fatal(err)
	}
	return rf
}

func TestAlertRules(t *testing.T) {
	rf := alertRules(t)
	seen := map[string]bool{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q: want alert, expr and a summary", r.Alert)
			}
			if seen[r.Alert] {
				t.Errorf("alert %s twice", r.Alert)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("alert %s: unbalanced parentheses", r.Alert)
			}
		}
	}
	// The list: readiness, error rate, p99, replica lag over 5 s,
	// stale listings rising.
	for _, want := range []struct{ metric, text string }{
		{"brokerfinder_ready", "== 0"},
		{`status=~"5.."`, "> 0.01"},
		{"histogram_quantile(0.99", "brokerfinder_http_request_duration_seconds_bucket"},
		{"brokerfinder_changelog_lag_seconds", "> 5"},
		{"brokerfinder_stale_listings", "delta("},
	} {
		found := false
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				found = found || (strings.Contains(r.Expr, want.metric) && strings.Contains(r.Expr, want.text))
			}
		}
		if !found {
			t.Errorf("no alert on %s %s", want.metric, want.text)
		}
	}
}

// TestMetricNamesExist: every metric the dashboard and the rules use is one
// a scrape of the service shows.
func TestMetricNamesExist(t *testing.T) {
	scraped := scrapedFamilies(t)
	var exprs []string
	for _, g := range alertRules(t).Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	b, err := os.ReadFile("grafana/brokerfinder.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	if len(dash.Panels) < 8 {
		t.Fatalf("dashboard has %d panels", len(dash.Panels))
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	name := regexp.MustCompile(`\b(brokerfinder|go|process)_[a-z_]+\b`)
	used := 0
	for _, e := range exprs {
		for _, n := range name.FindAllString(e, -1) {
			used++
			fam := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if f, ok := strings.CutSuffix(n, suffix); ok && scraped[f] {
					fam = f
				}
			}
			if !scraped[fam] {
				t.Errorf("%q uses %s, which no scrape shows", e, n)
			}
		}
	}
	if used < 20 {
		t.Errorf("only %d metric references found", used)
	}
}

// scrapedFamilies serves a Telemetry with every source set and one of each
// event observed, scrapes it, and returns the metric families it shows.
func scrapedFamilies(t *testing.T) map[string]bool {
	t.Helper()
	tel := telemetry.New(nil)
	tel.Watch(telemetry.Sources{
		Ready: func() bool { return true }, Catalogue: func() int { return 1 }, Stale: func() int { return 0 },
		Position: func() int64 { return 1 }, Head: func(context.Context) (int64, error) { return 1, nil },
		CaughtUp: time.Now, Rebuilds: func() int64 { return 0 },
		RecorderQueue: func() int { return 0 }, RecorderDropped: func() int64 { return 0 },
	})
	tel.ObserveRequest("/v1/match", "POST", 200, time.Millisecond)
	_, endMatch := tel.StartMatch(context.Background())
	endMatch(2, 1, nil)
	_, endSearch := tel.StartSearch(context.Background())
	endSearch(1, nil)
	tel.StartIndexWrite(context.Background())(nil)
	tel.StoreCallStarted(context.Background(), "find", "providers")(errors.New("failed"))
	srv := httptest.NewServer(tel.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if f, ok := strings.CutPrefix(sc.Text(), "# TYPE "); ok {
			out[strings.Fields(f)[0]] = true
		}
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return out
}

// TestDockerignore: the build context never carries ./data (the embedded
// store, with clients' names and phone numbers), node_modules or .git.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Errorf("exception %q could let local state back in", line)
		}
		patterns = append(patterns, strings.TrimPrefix(strings.TrimPrefix(line, "./"), "/"))
	}
	excluded := func(path string) bool {
		// Docker excludes a path when a pattern matches it or one of its
		// parent directories.
		for p := path; p != "."; p = filepath.Dir(p) {
			for _, pat := range patterns {
				if ok, _ := filepath.Match(pat, p); ok {
					return true
				}
			}
		}
		return false
	}
	for _, path := range []string{"data", "data/db/brokerfinder.sqlite", "data/index/store", "node_modules/axe-core/axe.js", ".git/HEAD"} {
		if !excluded(path) {
			t.Errorf("%s is sent to the build", path)
		}
	}
	for _, path := range []string{"go.mod", "cmd/brokerfinder/main.go", "seed/providers.json", "internal/web/static/app.css"} {
		if excluded(path) {
			t.Errorf("%s, needed by the build, is excluded", path)
		}
	}
}
