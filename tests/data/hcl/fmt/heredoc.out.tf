locals {
  short  = 1
  script = <<-EOT
      echo ${var.x}
    done
  EOT
  other  = 2
  raw    = <<EOT
  keep   this   spacing   
EOT
}
