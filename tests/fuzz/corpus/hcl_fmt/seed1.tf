terraform {
  backend "gitfleet" { name = "fox-or-bear" } # state kept, and locked, by the daemon
}

locals {
  project_name = "fox-or-bear"
}

resource "fleet_launch_template" "web" {
  name   = local.project_name
  source = "${path.module}/../www" # directory → content-addressed release
  # command = ["python3", "app.py"]      # default: the built-in static server
}

resource "fleet_target_group" "web" {
  name = "${local.project_name}-tg"
  health_check {
    path                = "/"
    interval            = 1 # seconds; fractions allowed
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
  deregistration_delay = 5
}

resource "fleet_autoscaling_group" "web" {
  name             = local.project_name
  min_size         = 1
  max_size         = 3
  desired_capacity = 2
  launch_template  = fleet_launch_template.web.id
  target_group_ids = [fleet_target_group.web.id]
}

resource "fleet_lb" "web" { name = local.project_name }

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  port             = 8080
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web.id
  }
}

output "url" { value = "http://127.0.0.1:${fleet_lb_listener.http.port}/" }
