# The infrastructure that serves ../www: a load balancer listening on 8080,
# a target group that health-checks the instances, and an autoscaling group
# of instances running the site. The pipeline applies this folder on every
# push to master (../buildspec.yaml); a person at a terminal can too, since
# both share one state, locked, in the daemon.

terraform {
  backend "gitfleet" {
    name = "fox-or-bear"
  }
}

locals {
  name = "fox-or-bear"
}

resource "fleet_lb" "web" {
  name = local.name
}

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  port             = 8080

  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web.id
  }
}

# A new instance takes traffic after two good checks a tenth of a second
# apart, so a new release is live a moment after the push.
resource "fleet_target_group" "web" {
  name = "${local.name}-tg"

  health_check {
    path                = "/"
    matcher             = "200"
    interval            = 0.1
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  deregistration_delay = 2
}

# Every change under ../www makes a new version of the template, identified
# by the content's hash; the group below rolls to it in place.
resource "fleet_launch_template" "web" {
  name   = local.name
  source = "${path.module}/../www"
}

# A release whose instances are not healthy within the grace period is
# rolled back: the previous version keeps serving.
resource "fleet_autoscaling_group" "web" {
  name                      = local.name
  min_size                  = 1
  max_size                  = 3
  desired_capacity          = 1
  launch_template           = fleet_launch_template.web.id
  target_group_ids          = [fleet_target_group.web.id]
  health_check_grace_period = 5
}

output "url" {
  value = "http://127.0.0.1:${fleet_lb_listener.http.port}/"
}
