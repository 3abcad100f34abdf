# The pipeline itself, applied once by hand (see ../README.md): a build
# project whose source is a git repository hosted by the daemon, and a
# webhook whose filter groups say which events build. Every build runs
# ../buildspec.yaml.

terraform {
  backend "gitfleet" {
    name = "fox-or-bear-pipeline"
  }
}

resource "fleet_build_project" "site" {
  name          = "fox-or-bear"
  build_timeout = 10

  source {
    type      = "GITFLEET"
    buildspec = "buildspec.yaml"
  }
}

resource "fleet_webhook" "site" {
  project_name = fleet_build_project.site.name

  # Pushes to master build, and apply.
  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }
    filter {
      type    = "HEAD_REF"
      pattern = "^refs/heads/master$"
    }
  }

  # Pull requests into master build too, but only plan.
  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
    }
    filter {
      type    = "BASE_REF"
      pattern = "^refs/heads/master$"
    }
  }
}

# The repository to push to; `gitfleet repo url fox-or-bear` prints it too.
output "repo_url" {
  value = fleet_build_project.site.repo_url
}

# For a forge (GitHub, Gitea, GitLab): where to deliver webhooks, and the
# secret to sign them with (gitfleet output -raw webhook_secret).
output "payload_url" {
  value = fleet_webhook.site.payload_url
}

output "webhook_secret" {
  value     = fleet_webhook.site.secret
  sensitive = true
}
