variable "repository" {
  type        = string
  description = "Git URL of the repository to build."
}

variable "branches" {
  type    = set(string)
  default = ["main", "release/*"]
}

variable "environment" {
  type = map(string)
  default = {
    TF_IN_AUTOMATION = "1"
  }
  sensitive = true
}

locals {
  filter_groups = [
    for b in var.branches : {
      event   = "PUSH"
      head    = "refs/heads/${b}"
      exclude = startswith(b, "release/") ? ["docs/**"] : []
    }
  ]

  buildspec = yamlencode({
    version = "0.2"
    phases = {
      build = {
        commands = [
          "gitfleet apply -auto-approve",
        ]
      }
    }
  })
}

resource "fleet_build_project" "infra" {
  name       = "infra"
  repository = var.repository
  buildspec  = local.buildspec

  dynamic "filter_group" {
    for_each = local.filter_groups
    iterator = fg
    content {
      event   = fg.value.event
      head    = fg.value.head
      exclude = fg.value.exclude
    }
  }

  environment {
    variables = var.environment
  }

  timeouts {
    build = "10m"
  }
}

resource "fleet_webhook" "github" {
  project = fleet_build_project.infra.name
  forge   = "github"
  secret  = sensitive(random_password.hook.result)
}

resource "random_password" "hook" {
  length  = 32
  special = false
}

output "hook_url" {
  value = "/hooks/github/${fleet_build_project.infra.name}"
}

output "script" {
  value = <<EOT
#!/bin/sh
set -eu
echo "building ${var.repository}"
%{if length(var.branches) > 1~}
echo "several branches"
%{else~}
echo "one branch"
%{endif~}
EOT
}
