resource "fleet_target_group" "web" {
  name                 = "web"
  deregistration_delay = 5
  port                 = 8080

  # a comment line ends the group
  a      = 1
  bbbbbb = 2
  list = [
    1,
  ]
  c    = 3
  dddd = { x = 1 }
  health_check {
    path     = "/"
    interval = 1
  }
  e = 5
}
