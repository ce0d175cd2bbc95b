// Package deploy holds no code: its test checks the deployment files beside
// it (Kubernetes manifests, compose.yaml, Prometheus rules, the Grafana
// dashboard) and the repository's .dockerignore, so a typo fails CI.
package deploy
