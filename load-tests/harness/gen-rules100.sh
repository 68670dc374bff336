#!/usr/bin/env bash
# Writes a 100-rule policy named `rules100` to stdout: four kinds of rules, none matching the harness's
# `echo` call, so the default allows it after every rule that can apply has been considered. A quarter
# carry no tool condition (an argument regex) and must be evaluated on every call; the rest are found by
# tool name and show what the rule index saves.
set -euo pipefail
cat <<'YAML'
name: rules100
version: 1
description: Load harness policy with 100 rules, none of which matches the harness's echo call.
mode: enforce
defaults:
  action: allow
rules:
YAML
for i in $(seq 1 100); do
  case $((i % 4)) in
    0) cond="{all: [{tool: \"svc${i}_*\"}, {arg: {path: /command, matches: \"\\\\bdrop\\\\s+table_${i}\\\\b\"}}]}" ;;
    1) cond="{arg: {path: /text, matches: \"^forbidden-${i}-[a-z]+\$\"}}" ;;
    2) cond="{all: [{tool: \"read_secret_${i}\"}, {not: {claim: {name: tenant, eq: tenant-${i}}}}]}" ;;
    3) cond="{tool: \"echo_v${i}\"}" ;;
  esac
  printf '  - name: rule-%03d\n    priority: %d\n    condition: %s\n    action: deny\n    message: Rule %d.\n' "$i" "$((1000 - i))" "$cond" "$i"
done
