# Blocks gitfleet does not execute yet are refused by name, not ignored.
resource "fleet_build_project" "infra" {
  name       = "infra"
  repository = "https://example.com/infra.git"
  buildspec  = "version: 0.2"
}

check "project_exists" {
  assert {
    condition     = fleet_build_project.infra.id != ""
    error_message = "The build project was not created."
  }
}

import {
  to = fleet_build_project.infra
  id = "infra"
}
