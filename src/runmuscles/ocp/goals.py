"""What the predicted runner optimises: the effort goals and their weights.

The objective is effort per distance travelled (integrated over the simulated interval and
divided by the distance, so faster or slower strides are compared fairly):

    J = 1/d * integral( w_metabolic * sum_i Edot_i / m            (W/kg: metabolic energy rate)
                      + w_activation * mean_i a_i^p             (muscle effort, p = 3)
                      + w_reserve * mean_j (tau_res_j / tau_max_j)^2
                      + w_acceleration * mean_j (qdd_j / s_j)^2    (small regularisation)
                      + w_tendon_rate * mean_k (dFt_k / 10)^2 ) dt

Choice and sources: Falisse et al. 2019 (J R Soc Interface 16:20190402) combine the metabolic energy
rate with squared activations, joint accelerations and passive torques, weighted and normalised per
distance; Dembia et al. 2020 (PLoS Comput Biol 16:e1008493, OpenSim Moco) use summed squared
controls per distance. Activations cubed follow Crowninshield & Brand 1981 (J Biomech 14:793,
endurance criterion). SCIENCE.md section 4 reports that effort-only objectives with rigid tendons
give too quick a cadence; the metabolic term and the compliant Achilles and patellar tendons are
what bring it back to human values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Goals"]


@dataclass(frozen=True)
class Goals:
    """Weights of the effort terms (dimensionless; terms are normalised to order one)."""

    metabolic: float = 0.1
    activation: float = 1.0
    activation_exponent: int = 3
    reserve: float = 1000.0
    acceleration: float = 0.01
    tendon_rate: float = 0.001

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
