name = "fox-or-bear"

instances = {
  min     = 2
  max     = 4
  desired = 2
}

listeners = {
  http  = { port = 8080 }
  admin = { port = 9090, health = { path = "/healthz" } }
}

tags = {
  team = "web"
  env  = "dev"
}
