#!/usr/bin/env bash
# HCL benchmark: parse + evaluate a generated ~1 MB module with
# `gitfleet validate` (every file parsed, every expression of every block
# evaluated with unknown variables and resources).
#
#   bench/hcl.sh [SIZE_KB]     default 1024
#
# Needs a release build (`make` → build/gitfleet, no sanitizers). Uses
# hyperfine when installed (scripts/deps.sh --bench), else 20 timed runs.
# Prints the mean wall time; docs/benchmarks.md ("HCL") records the figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GITFLEET:-$root/build/gitfleet}
size_kb=${1:-1024}
[ -x "$bin" ] || { echo "build first: make (expects $bin)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gf-bench-hcl.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A module in the style of real ones: variables with object types and
# validations, locals built with for expressions and functions, resources
# with nested blocks, templates, count/for_each, dynamic blocks, outputs.
python3 - "$work" "$size_kb" <<'PY'
import sys
work, size_kb = sys.argv[1], int(sys.argv[2])
head = '''terraform {
  required_version = ">= 1.0, < 2.0"
}

variable "project" {
  type    = string
  default = "bench"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.project))
    error_message = "The project name must be lowercase."
  }
}

variable "sites" {
  type = map(object({
    port     = number
    replicas = optional(number, 2)
    paths    = optional(list(string), ["/"])
  }))
  default = {
    fox  = { port = 8081 }
    bear = { port = 8082, replicas = 3, paths = ["/", "/health"] }
  }
}

locals {
  common_tags = { project = var.project, managed_by = "gitfleet" }
  ports       = [for name, s in var.sites : s.port]
  upper_names = { for name, s in var.sites : name => upper(name) }
}
'''
block = '''
locals {{
  name_{i}   = "${{var.project}}-svc-{i}"
  labels_{i} = merge(local.common_tags, {{ index = "{i}", tier = "{tier}" }})
  paths_{i}  = [for p in ["/", "/api", "/static", "/health"] : "${{p}}{i}" if length(p) > 1]
  port_{i}   = 8000 + {i} % 1000
}}

resource "fleet_launch_template" "svc_{i}" {{
  name    = local.name_{i}
  source  = "${{path.module}}/www/{i}"
  command = ["python3", "-m", "http.server", tostring(local.port_{i})]
  environment = {{
    PORT     = tostring(local.port_{i})
    BACKENDS = join(",", [for s in local.ports : format("127.0.0.1:%d", s)])
    MESSAGE  = <<-EOT
      Service {i} of ${{var.project}}
      %{{ for p in local.paths_{i} ~}}
      path ${{p}}
      %{{ endfor ~}}
    EOT
  }}
}}

resource "fleet_target_group" "svc_{i}" {{
  name = "${{local.name_{i}}}-tg"
  health_check {{
    path                = "/health"
    interval            = 1
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200-299"
  }}
  deregistration_delay = {i} % 5 + 1
  tags                 = local.labels_{i}
}}

resource "fleet_autoscaling_group" "svc_{i}" {{
  count            = {i} % 3 == 0 ? 2 : 1
  name             = "${{local.name_{i}}}-${{count.index}}"
  min_size         = 1
  max_size         = max(3, lookup(var.sites, "bear", {{ replicas = 1 }}).replicas)
  desired_capacity = var.sites["fox"].replicas
  launch_template  = fleet_launch_template.svc_{i}.id
  target_group_ids = [fleet_target_group.svc_{i}.id]
  dynamic "tag" {{
    for_each = local.labels_{i}
    content {{
      key   = tag.key
      value = tag.value
    }}
  }}
}}

resource "fleet_lb_listener" "svc_{i}" {{
  for_each         = toset([for p in local.paths_{i} : trimprefix(p, "/")])
  load_balancer_id = fleet_lb.main.id
  port             = local.port_{i}
  default_action {{
    type            = "forward"
    target_group_id = fleet_target_group.svc_{i}.id
    path            = "/${{each.key}}"
  }}
}}

output "url_{i}" {{
  value = "http://127.0.0.1:${{local.port_{i}}}/${{lower(local.upper_names["fox"])}}"
}}
'''
out = [head, 'resource "fleet_lb" "main" { name = var.project }\n']
size = len(head)
i = 0
files = {}
while size < size_kb * 1024:
    text = block.format(i=i, tier=["web", "api", "worker"][i % 3])
    files.setdefault(i // 200, []).append(text)
    size += len(text)
    i += 1
open(f"{work}/main.tf", "w").write("".join(out))
for k, parts in files.items():
    open(f"{work}/svc_{k:02d}.tf", "w").write("".join(parts))
print(f"generated {i} services, {size // 1024} KB in {len(files) + 1} files", file=sys.stderr)
PY

cd "$work"
"$bin" validate -no-color >/dev/null || { "$bin" validate -no-color | head -40; echo "the generated module does not validate" >&2; exit 1; }
echo "command: gitfleet validate (in a $(du -sk "$work" | cut -f1) KB module)"
if command -v hyperfine >/dev/null; then
	hyperfine --warmup 3 --min-runs 20 -N "$bin validate -no-color"
else
	start=$(date +%s%N)
	for _ in $(seq 20); do "$bin" validate -no-color >/dev/null; done
	end=$(date +%s%N)
	echo "mean: $(((end - start) / 20000000)) ms over 20 runs"
fi
