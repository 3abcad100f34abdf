%{ for k, v in m ~}
${k} = ${jsonencode(v)}
%{ endfor ~}
