namespace Harness;

/// <summary>
/// A user-facing error: bad input, missing data, unknown names. The CLI prints its message alone
/// (no stack trace) and exits with code 2; the message names the file or field and what to do.
/// </summary>
public class HarnessException : Exception
{
    public HarnessException(string message) : base(message) { }
    public HarnessException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Results that do not match their verified baseline, or cells without a result: not a user mistake, a finding.
/// The CLI exits with code 1 (2 is for mistakes).
/// </summary>
public class VerificationFailedException(string message) : HarnessException(message);

/// <summary>A data file is missing, truncated or not in the format its loader expects.</summary>
public sealed class DataFormatException : HarnessException
{
    public DataFormatException(string path, string problem)
        : base($"{path}: {problem}") => Path = path;
    public string Path { get; }
}
