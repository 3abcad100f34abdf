locals {
  html = "<b>&nbsp;</b>" + 1
}
