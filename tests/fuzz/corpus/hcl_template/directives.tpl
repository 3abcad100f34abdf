Hello ${name}!
%{ if a ~}
 yes
%{~ else ~}
 no
%{ endif }
$