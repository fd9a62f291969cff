"""Lead scoring: administrators' point rules and a model learned from decided leads."""
