locals {
  greeting = "hello\qworld"
  path     = "C:\Users\me"
}
