namespace CoffeeMesh.Contracts;

/// <summary>A rejected source row, kept with every reason it failed.</summary>
public record QuarantinedRow(long Line, string Raw, IReadOnlyList<RejectionReason> Reasons);

/// <summary>A machine-readable code (counted per ingestion) and a human-readable detail.</summary>
public record RejectionReason(string Code, string Detail);
