resource "fleet_lb" "web" {
  name = "web"
}

check "lb_named" {
  assert {
    condition     = fleet_lb.web.name != ""
    error_message = "The load balancer has no name."
  }
}
