output "urls" {
  description = "One URL per listener."
  value = {
    for k, l in fleet_lb_listener.this : k => "http://127.0.0.1:${l.port}/"
  }
}

output "target_group_ids" {
  value = values(fleet_target_group.web)[*].id
}

output "canary_suffix" {
  value     = one(random_pet.suffix[*].id)
  sensitive = false
}

output "summary" {
  value = <<-EOT
    Service ${var.name} runs ${var.instances.min}-${var.instances.max} instances.
    %{~for k, l in local.listeners~}
    - ${k}: port ${l.port}
    %{~endfor~}
  EOT
}
