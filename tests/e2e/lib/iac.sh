# Helpers for the IaC end-to-end tests; source after common.sh and
# cloud.sh (the daemon they talk to).

# write_stack DIR PORT: DIR/infra/main.tf, the fox-or-bear stack serving
# DIR/www on PORT through a load balancer.
write_stack() {
	mkdir -p "$1/infra"
	cat >"$1/infra/main.tf" <<EOF
locals { project = "fox" }

variable "desired" { default = 2 }

resource "fleet_launch_template" "web" {
  name   = local.project
  source = "\${path.module}/../www"
}

resource "fleet_target_group" "web" {
  name = "\${local.project}-tg"
  health_check {
    path                = "/"
    interval            = 0.2
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
  deregistration_delay = 1
}

resource "fleet_autoscaling_group" "web" {
  name                      = local.project
  min_size                  = 1
  max_size                  = 3
  desired_capacity          = var.desired
  launch_template           = fleet_launch_template.web.id
  target_group_ids          = [fleet_target_group.web.id]
  health_check_grace_period = 10
}

resource "fleet_lb" "web" { name = local.project }

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  port             = $2
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web.id
  }
}

output "url" { value = "http://127.0.0.1:\${fleet_lb_listener.http.port}/" }
EOF
}

# gf ARGS...: runs gitfleet (bounded in time, stdin closed); stdout in
# $OUT, stderr in $ERR, exit status in $RC.
gf() {
	gf_in /dev/null "$@"
}

# gf_in FILE ARGS...: as gf, with stdin from FILE.
gf_in() {
	local input=$1
	shift
	RC=0
	timeout 120 "$GITFLEET" "$@" <"$input" >"$T/gf.out" 2>"$T/gf.err" || RC=$?
	OUT=$(cat "$T/gf.out")
	ERR=$(cat "$T/gf.err")
}
