# Calls itself: followed once, then noted as a cycle.
module "again" {
  source = "../loop"
}
